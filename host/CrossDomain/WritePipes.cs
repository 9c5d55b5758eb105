using System.Diagnostics.CodeAnalysis;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A context's write pipes: those the compositor sent, named for the guest as host items and fed
/// by WRITE commands, and those the guest hung up whose queued bytes are still going out. All of
/// them share one budget of queued bytes.
/// </summary>
internal sealed class WritePipes : IDisposable
{
    private readonly HostItems _items;
    private readonly EventLoop _loop;
    private readonly HostFdBudget _fds;
    private readonly ByteBudget _queuedBytes;
    private readonly HashSet<WritePipe> _draining = [];
    private readonly Action<WritePipe> _closedWhileDraining;

    public WritePipes(HostItems items, EventLoop loop, HostFdBudget fds, int maxQueuedBytes)
    {
        _items = items;
        _loop = loop;
        _fds = fds;
        _queuedBytes = new ByteBudget(maxQueuedBytes);
        _closedWhileDraining = pipe => _draining.Remove(pipe);
    }

    /// <summary>Names a write pipe the compositor sent; the pipe owns <paramref name="fd"/> once this returns.</summary>
    public uint Add(FileDescriptor fd) => _items.Add(new WritePipe(fd, _loop, _queuedBytes, _fds, _closedWhileDraining));

    public bool TryGet(uint id, [NotNullWhen(true)] out WritePipe? pipe)
    {
        pipe = _items.TryGet(id, out var item) ? item as WritePipe : null;
        return pipe is not null;
    }

    /// <summary>Forgets pipe <paramref name="id"/> and closes it, dropping what it still had queued.</summary>
    public void Close(uint id)
    {
        if (!TryGet(id, out var pipe)) return;
        _items.Remove(id);
        pipe.Dispose();
    }

    /// <summary>A WRITE: <paramref name="data"/> into <paramref name="pipe"/> (named <paramref name="id"/>, from <see cref="TryGet"/>), which is forgotten after <paramref name="hangUp"/>.</summary>
    public CrossDomainRefusal Write(uint id, WritePipe pipe, ReadOnlySpan<byte> data, bool hangUp)
    {
        switch (pipe.Write(data, hangUp))
        {
            case WriteOutcome.OverBudget:
                return CrossDomainRefusal.PipeWriteBacklogFull;
            case WriteOutcome.Broken:
                Close(id);
                return CrossDomainRefusal.PipeReaderGone;
        }
        if (hangUp)
        {
            // The id is forgotten now; bytes still queued go out before the pipe closes.
            _items.Remove(id);
            if (!pipe.IsClosed) _draining.Add(pipe);
        }
        return CrossDomainRefusal.None;
    }

    /// <summary>Closes the draining pipes; those still named are the item table's to close.</summary>
    public void Dispose()
    {
        foreach (var pipe in _draining) pipe.Dispose();
        _draining.Clear();
    }
}

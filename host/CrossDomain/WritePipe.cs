using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A pipe the compositor handed over for the guest to fill (<c>wl_data_source.send</c>): announced
/// as a WRITE_PIPE identifier and fed by WRITE commands. A slow reader must not stall the device
/// loop, so the pipe is non-blocking and what it cannot take now waits here, against the context's
/// <see cref="ByteBudget"/>, until the loop says it is writable. (Making our end non-blocking is
/// safe: the pasting client and the compositor close their copies of this end once it is passed on.)
/// </summary>
internal sealed class WritePipe : HostItem
{
    private readonly FileDescriptor _fd;
    private readonly OnDemandFdWatch _watch;
    private readonly ByteBudget _budget;
    private readonly HostFdBudget _fds;
    private readonly Action<WritePipe> _closedWhileDraining;
    private byte[] _pending = [];
    private int _pendingStart;
    private int _pendingLength;
    private bool _closeWhenDrained;

    /// <param name="fds">Where the fd is counted until the pipe closes; the caller has checked that it has room.</param>
    /// <param name="closedWhileDraining">Called when the pipe closes itself on the loop, after its last queued bytes went out or failed.</param>
    public WritePipe(FileDescriptor fd, EventLoop loop, ByteBudget budget, HostFdBudget fds, Action<WritePipe> closedWhileDraining)
    {
        fd.SetNonBlocking();
        _fd = fd;
        _budget = budget;
        _fds = fds;
        _closedWhileDraining = closedWhileDraining;
        _watch = new OnDemandFdWatch(loop, fd, OnWritable);
        // Last: a constructor that throws leaves the fd to the caller, uncounted.
        fds.Take(1);
    }

    public override bool HoldsFd => true;

    public bool IsClosed { get; private set; }

    public int PendingBytes => _pendingLength;

    /// <summary>What the guest has written into this transfer, for the firewall's bound.</summary>
    public TransferMeter Transfer { get; } = new();

    /// <summary>
    /// Writes <paramref name="data"/> (queueing what the pipe cannot take now), then closes the pipe
    /// once everything is out if <paramref name="hangUp"/>. Nothing is written when the answer is
    /// <see cref="WriteOutcome.OverBudget"/>; after <see cref="WriteOutcome.Broken"/> the pipe is closed.
    /// </summary>
    public WriteOutcome Write(ReadOnlySpan<byte> data, bool hangUp)
    {
        if (IsClosed) return WriteOutcome.Broken;
        if (!_budget.HasRoom(data.Length)) return WriteOutcome.OverBudget;
        Transfer.Add(data.Length);
        if (_pendingLength == 0)
        {
            if (!TryWriteNow(ref data))
            {
                Close();
                return WriteOutcome.Broken;
            }
        }
        Queue(data);
        if (hangUp) _closeWhenDrained = true;
        if (_closeWhenDrained && _pendingLength == 0) Close();
        else _watch.Set(_pendingLength > 0 ? Readiness.Writable : Readiness.None);
        return WriteOutcome.Written;
    }

    public override void Dispose() => Close();

    private void OnWritable(Readiness readiness)
    {
        var pending = _pending.AsSpan(_pendingStart, _pendingLength);
        bool healthy = TryWriteNow(ref pending);
        int written = _pendingLength - pending.Length;
        _pendingStart += written;
        _pendingLength -= written;
        _budget.Return(written);
        if (!healthy || (_closeWhenDrained && _pendingLength == 0))
        {
            Close();
            _closedWhileDraining(this);
        }
        else if (_pendingLength == 0)
        {
            _watch.Set(Readiness.None);
        }
    }

    /// <summary>Writes until done or the pipe is full; <paramref name="data"/> is left with what did not go. False: the reader is gone.</summary>
    private bool TryWriteNow(ref ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var result = Pipe.Write(_fd, data);
            if (result.Status != IoStatus.Done || result.Bytes == 0) return result.Status is IoStatus.WouldBlock or IoStatus.Done;
            data = data[result.Bytes..];
        }
        return true;
    }

    private bool TryWriteNow(ref Span<byte> data)
    {
        ReadOnlySpan<byte> readOnly = data;
        bool healthy = TryWriteNow(ref readOnly);
        data = data[(data.Length - readOnly.Length)..];
        return healthy;
    }

    private void Queue(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (_pending.Length - _pendingStart - _pendingLength < data.Length)
        {
            // Compact first; grow only when compacting is not enough. The budget bounds the size.
            var target = _pending.Length >= _pendingLength + data.Length ? _pending : new byte[Math.Max(_pending.Length * 2, _pendingLength + data.Length)];
            Buffer.BlockCopy(_pending, _pendingStart, target, 0, _pendingLength);
            _pending = target;
            _pendingStart = 0;
        }
        data.CopyTo(_pending.AsSpan(_pendingStart + _pendingLength));
        _pendingLength += data.Length;
        _budget.Take(data.Length);
    }

    private void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        _watch.Dispose();
        _fd.Dispose();
        _fds.Return(1);
        _budget.Return(_pendingLength);
        _pendingLength = 0;
        _pending = [];
    }
}

internal enum WriteOutcome
{
    Written,

    /// <summary>The context has too many bytes queued for slow readers; nothing was written.</summary>
    OverBudget,

    /// <summary>The reader closed its end; the pipe is closed now.</summary>
    Broken,
}

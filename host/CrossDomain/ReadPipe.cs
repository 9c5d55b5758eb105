using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// The read end of a pipe the host made for a guest READ_PIPE identifier: the compositor got the
/// write end, and what it writes comes back to the guest as READ messages under <see cref="Id"/>.
/// </summary>
internal sealed class ReadPipe : IDisposable
{
    private readonly OnDemandFdWatch _watch;
    private readonly HostFdBudget _fds;
    private bool _disposed;

    /// <param name="fds">Where <paramref name="readEnd"/> is already counted (from when the pipe was made); given back on dispose.</param>
    public ReadPipe(uint id, FileDescriptor readEnd, EventLoop loop, HostFdBudget fds, Action<ReadPipe> ready)
    {
        Id = id;
        ReadEnd = readEnd;
        _fds = fds;
        _watch = new OnDemandFdWatch(loop, readEnd, _ => ready(this));
    }

    public uint Id { get; }

    public FileDescriptor ReadEnd { get; }

    /// <summary>What the guest has been given of this transfer, for the firewall's bound.</summary>
    public TransferMeter Transfer { get; } = new();

    /// <summary>Set while a POLL fence waits: the loop then calls back when there is data or the writer closed.</summary>
    public bool IsWatched
    {
        get => _watch.Interest != Readiness.None;
        set => _watch.Set(value ? Readiness.Readable : Readiness.None);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _watch.Dispose();
        ReadEnd.Dispose();
        _fds.Return(1);
    }
}

using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// An fd on the device loop whose interest comes and goes (a channel fd is read only while a POLL
/// fence waits). Changing the interest of a registered fd costs one epoll_ctl and no allocation,
/// so the fd stays registered, with no interest, between uses. But epoll reports hang-up and error
/// whatever the interest: a peer that hangs up while nobody wants its data would wake the loop on
/// every turn, so such an fd is taken off the loop, and registered again when it is next wanted.
/// </summary>
internal sealed class OnDemandFdWatch : IDisposable
{
    private readonly EventLoop _loop;
    private readonly FileDescriptor _fd;
    private readonly Action<Readiness> _callback;
    private readonly Action<Readiness> _onReady;
    private FdWatch? _watch;

    public OnDemandFdWatch(EventLoop loop, FileDescriptor fd, Action<Readiness> callback)
    {
        _loop = loop;
        _fd = fd;
        _callback = callback;
        _onReady = OnReady;
    }

    public Readiness Interest => _watch?.Interest ?? Readiness.None;

    public void Set(Readiness interest)
    {
        if (_watch is not null) _watch.Change(interest);
        else if (interest != Readiness.None) _watch = _loop.Watch(_fd, interest, _onReady);
    }

    /// <summary>Takes the fd off the loop; call before closing it.</summary>
    public void Dispose() => Unregister();

    private void OnReady(Readiness readiness)
    {
        if (_watch is { Interest: Readiness.None })
        {
            Unregister();
            return;
        }
        _callback(readiness);
    }

    private void Unregister()
    {
        _watch?.Dispose();
        _watch = null;
    }
}

using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// An fd registered on the device loop only while there is something to wait for. Watching with
/// no interest is not the same as not watching: epoll reports hang-up and error whatever the
/// interest, so a peer that hung up while nobody wanted its data would wake the loop forever.
/// </summary>
internal sealed class LoopWatch(EventLoop loop, FileDescriptor fd, Action<Readiness> callback) : IDisposable
{
    private FdWatch? _watch;

    public Readiness Interest => _watch?.Interest ?? Readiness.None;

    public void Set(Readiness interest)
    {
        if (interest == Readiness.None)
        {
            _watch?.Dispose();
            _watch = null;
        }
        else if (_watch is null)
        {
            _watch = loop.Watch(fd, interest, callback);
        }
        else
        {
            _watch.Change(interest);
        }
    }

    public void Dispose() => Set(Readiness.None);
}

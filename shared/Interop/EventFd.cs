using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>A non-blocking eventfd: a counter that wakes a waiter (vring kicks and calls, loop wake-ups).</summary>
public sealed unsafe class EventFd : IDisposable
{
    private EventFd(FileDescriptor fd) => Handle = fd;

    public FileDescriptor Handle { get; }

    public int Fd => Handle.Fd;

    public static EventFd Create()
    {
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) throw Errno.Exception("eventfd");
        return new EventFd(new FileDescriptor(fd));
    }

    /// <summary>Wraps an eventfd received from a peer (e.g. a vhost-user kick fd).</summary>
    public static EventFd Adopt(FileDescriptor fd)
    {
        fd.SetNonBlocking();
        return new EventFd(fd);
    }

    public void Signal(ulong count = 1)
    {
        // A full counter (EAGAIN) already means "signalled"; nothing is lost by dropping the add.
        if (write(Fd, &count, sizeof(ulong)) < 0 && !Errno.IsWouldBlock(Errno.Last))
            throw Errno.Exception("write(eventfd)");
    }

    /// <summary>Reads and resets the counter; returns 0 when it was not signalled.</summary>
    public ulong Consume()
    {
        ulong value = 0;
        return read(Fd, &value, sizeof(ulong)) == sizeof(ulong) ? value : 0;
    }

    public void Dispose() => Handle.Dispose();
}

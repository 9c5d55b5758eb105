using CrossDomain.Interop;
using static Tmds.Linux.LibC;

namespace CrossDomain.Host.CrossDomain;

/// <summary>File-status flags of fds the compositor sends.</summary>
internal static class FdFlags
{
    public static void SetNonBlocking(FileDescriptor fd)
    {
        int flags = fcntl(fd.Fd, F_GETFL);
        if (flags < 0 || fcntl(fd.Fd, F_SETFL, flags | O_NONBLOCK) < 0) throw Errno.Exception("fcntl(O_NONBLOCK)");
    }
}

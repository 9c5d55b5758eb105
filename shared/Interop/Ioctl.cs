using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>ioctl with a struct argument, retried on EINTR, as the DRM ioctls need.</summary>
public static unsafe class Ioctl
{
    /// <summary>Returns 0 on success or the errno; the struct is read and written in place.</summary>
    public static int TryInvoke<T>(FileDescriptor fd, uint request, ref T argument) where T : unmanaged
    {
        fixed (T* pointer = &argument)
        {
            while (true)
            {
                if (ioctl(fd.Fd, unchecked((int)request), pointer) >= 0) return 0;
                int errno = Errno.Last;
                if (errno != EINTR && errno != EAGAIN) return errno;
            }
        }
    }

    public static void Invoke<T>(FileDescriptor fd, uint request, ref T argument, string name) where T : unmanaged
    {
        int errno = TryInvoke(fd, request, ref argument);
        if (errno != 0) throw Errno.Exception($"ioctl({name})", errno);
    }
}

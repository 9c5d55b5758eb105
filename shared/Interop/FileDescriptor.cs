using System.Runtime.InteropServices;
using Tmds.Linux;

namespace CrossDomain.Interop;

/// <summary>
/// An owned Linux file descriptor. Closing happens exactly once, in <see cref="ReleaseHandle"/>, so an
/// fd that was received but never handed on is closed when its owner is disposed (or finalized).
/// </summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor() : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    public FileDescriptor(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw number, for a syscall made while this handle is known to be alive.</summary>
    public int Fd => (int)handle.ToInt64();

    /// <summary>A new owned fd for the same open file (close-on-exec).</summary>
    public FileDescriptor Duplicate()
    {
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            int fd = LibC.fcntl(Fd, LibC.F_DUPFD_CLOEXEC, 0);
            if (fd < 0) throw Errno.Exception("fcntl(F_DUPFD_CLOEXEC)");
            return new FileDescriptor(fd);
        }
        finally
        {
            if (added) DangerousRelease();
        }
    }

    /// <summary>Sets O_NONBLOCK on the open file, which every fd duplicated from it shares.</summary>
    public void SetNonBlocking()
    {
        int flags = LibC.fcntl(Fd, LibC.F_GETFL);
        if (flags < 0 || LibC.fcntl(Fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0) throw Errno.Exception("fcntl(O_NONBLOCK)");
    }

    /// <summary>Gives up ownership: the caller now owns the returned number.</summary>
    public int Release()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        int fd = Fd;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle() => LibC.close(Fd) == 0;

    public override string ToString() => $"fd {Fd}";
}

using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>Pipes (clipboard and drag-and-drop data) and non-blocking reads and writes on them.</summary>
public static unsafe class Pipe
{
    public static (FileDescriptor Read, FileDescriptor Write) Create(bool nonBlocking = true)
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) != 0) throw Errno.Exception("pipe2");
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    public static IoResult Read(FileDescriptor fd, Span<byte> buffer)
    {
        fixed (byte* bytes = buffer)
        {
            long count = read(fd.Fd, bytes, buffer.Length);
            if (count > 0) return IoResult.Done((int)count);
            if (count == 0) return IoResult.EndOfStream;
            int errno = Errno.Last;
            return Errno.IsWouldBlock(errno) ? IoResult.WouldBlock : IoResult.Failed(errno);
        }
    }

    public static IoResult Write(FileDescriptor fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* bytes = data)
        {
            long count = write(fd.Fd, bytes, data.Length);
            if (count >= 0) return IoResult.Done((int)count);
            int errno = Errno.Last;
            return Errno.IsWouldBlock(errno) ? IoResult.WouldBlock : IoResult.Failed(errno);
        }
    }

    /// <summary>Whether the fd is a pipe opened for writing only (how a compositor hands over a data-source fd).</summary>
    public static bool IsWriteOnlyPipe(FileDescriptor fd)
    {
        Tmds.Linux.stat status;
        if (fstat(fd.Fd, &status) != 0 || !S_ISFIFO(status.st_mode)) return false;
        int flags = fcntl(fd.Fd, F_GETFL);
        return flags >= 0 && (flags & O_ACCMODE) == O_WRONLY;
    }
}

using CrossDomain.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Decides what an fd received from the compositor is. As in rutabaga, memory is what can be sized
/// by seeking to its end: memfd and shm (regular files) and dma-bufs (anonymous files that know
/// their size); a pipe opened write-only is a write pipe; anything else is not carried. Unlike a
/// bare seek test, directories and devices are not memory, and neither is anything of size 0:
/// eventfds, timerfds and the like accept a seek and report 0, and nothing of size 0 can be mapped.
/// </summary>
internal static unsafe class ReceivedFdClassifier
{
    /// <summary>F_SEAL_FUTURE_WRITE (Linux 5.1): existing writable mappings stay, new ones are refused.</summary>
    private const MemFdSeals FutureWriteSeal = (MemFdSeals)0x10;

    /// <param name="size">For memory: its size in bytes.</param>
    /// <param name="writable">For memory: false when it is read-only (opened O_RDONLY, or write-sealed).</param>
    public static ReceivedFdKind Classify(FileDescriptor fd, out ulong size, out bool writable)
    {
        size = 0;
        writable = false;
        stat status;
        if (fstat(fd.Fd, &status) != 0) return ReceivedFdKind.Unsupported;
        if (S_ISFIFO(status.st_mode)) return Pipe.IsWriteOnlyPipe(fd) ? ReceivedFdKind.WritePipe : ReceivedFdKind.Unsupported;
        if (S_ISSOCK(status.st_mode) || S_ISDIR(status.st_mode) || S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode))
            return ReceivedFdKind.Unsupported;

        if (!TryGetSizeBySeeking(fd, out size) || size == 0) return ReceivedFdKind.Unsupported;
        int flags = fcntl(fd.Fd, F_GETFL);
        if (flags < 0) return ReceivedFdKind.Unsupported;
        bool openedReadOnly = (flags & O_ACCMODE) == O_RDONLY;
        bool writeSealed = (MemFd.GetSeals(fd) & (MemFdSeals.Write | FutureWriteSeal)) != 0;
        writable = !openedReadOnly && !writeSealed;
        return ReceivedFdKind.Memory;
    }

    /// <summary>Seeks to the end for the size, then back where the file was: the sender may share this file offset.</summary>
    private static bool TryGetSizeBySeeking(FileDescriptor fd, out ulong size)
    {
        size = 0;
        const int SeekSet = 0, SeekCurrent = 1, SeekEnd = 2;
        long position = lseek(fd.Fd, 0, SeekCurrent);
        if (position < 0) return false;
        long end = lseek(fd.Fd, 0, SeekEnd);
        lseek(fd.Fd, position, SeekSet);
        if (end < 0) return false;
        size = (ulong)end;
        return true;
    }
}

/// <summary>What an fd from the compositor can become for the guest (PROTOCOL.md B.5, RECEIVE).</summary>
internal enum ReceivedFdKind
{
    /// <summary>Nothing the Wayland channel carries (a socket, an eventfd, a read pipe …): closed.</summary>
    Unsupported,

    /// <summary>Seekable, mappable memory (memfd, shm, dma-buf): a VIRTGPU_BLOB identifier.</summary>
    Memory,

    /// <summary>A pipe opened for writing only: a WRITE_PIPE identifier.</summary>
    WritePipe,
}

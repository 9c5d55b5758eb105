using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>Seals of <c>F_ADD_SEALS</c>.</summary>
[Flags]
public enum MemFdSeals
{
    None = 0,
    Seal = 0x1,
    Shrink = 0x2,
    Grow = 0x4,
    Write = 0x8,
}

/// <summary>Anonymous shared memory (memfd_create): created, grown, sealed, mapped.</summary>
public static unsafe class MemFd
{
    public static FileDescriptor Create(string name, long size, bool allowSealing = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        byte* utf8 = stackalloc byte[Encoding.UTF8.GetByteCount(name) + 1];
        int length = Encoding.UTF8.GetBytes(name, new Span<byte>(utf8, int.MaxValue));
        utf8[length] = 0;
        int fd = memfd_create(utf8, (uint)(MFD_CLOEXEC | (allowSealing ? MFD_ALLOW_SEALING : 0)));
        if (fd < 0) throw Errno.Exception("memfd_create");
        var handle = new FileDescriptor(fd);
        try
        {
            if (size > 0) Resize(handle, size);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sets the size; growing zero-fills. Fails on a memfd sealed against the change.</summary>
    public static void Resize(FileDescriptor fd, long size)
    {
        if (ftruncate(fd.Fd, size) != 0) throw Errno.Exception("ftruncate");
    }

    public static void AddSeals(FileDescriptor fd, MemFdSeals seals)
    {
        if (fcntl(fd.Fd, F_ADD_SEALS, (int)seals) != 0) throw Errno.Exception("fcntl(F_ADD_SEALS)");
    }

    /// <summary>
    /// True when the file can no longer shrink: it carries F_SEAL_SHRINK or took it now. False for
    /// a file that takes no seals: not a memfd, or created without MFD_ALLOW_SEALING (tmpfs and
    /// hugetlbfs files start with F_SEAL_SEAL).
    /// </summary>
    public static bool TrySealAgainstShrinking(FileDescriptor fd)
    {
        // F_SEAL_SEAL refuses F_ADD_SEALS even for a seal already there, so look first.
        if ((GetSeals(fd) & MemFdSeals.Shrink) != 0) return true;
        return fcntl(fd.Fd, F_ADD_SEALS, (int)MemFdSeals.Shrink) == 0;
    }

    /// <summary>The seals of a memfd; <see cref="MemFdSeals.None"/> for other files.</summary>
    public static MemFdSeals GetSeals(FileDescriptor fd)
    {
        int seals = fcntl(fd.Fd, F_GET_SEALS);
        return seals < 0 ? MemFdSeals.None : (MemFdSeals)seals;
    }

    /// <summary>The size of a seekable file (memfd, shm, dma-buf) by seeking to its end, as rutabaga does.</summary>
    public static long GetSize(FileDescriptor fd)
    {
        long size = lseek(fd.Fd, 0, 2 /* SEEK_END */);
        if (size < 0) throw Errno.Exception("lseek(SEEK_END)");
        lseek(fd.Fd, 0, 0 /* SEEK_SET */);
        return size;
    }
}

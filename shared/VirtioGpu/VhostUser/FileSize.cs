using CrossDomain.Interop;
using static Tmds.Linux.LibC;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The size of a regular file behind an fd, to refuse mappings that run past its end: touching
/// such a page raises SIGBUS, which no managed code can survive.
/// </summary>
internal static unsafe class FileSize
{
    /// <summary>
    /// True when the fd's [0, <paramref name="end"/>) may be mapped: a regular file (memfd, shm,
    /// hugetlbfs) at least that long, or something that is not a regular file (a dma-buf), whose
    /// size fstat cannot tell and whose exporter enforces its own bounds.
    /// </summary>
    public static bool Covers(FileDescriptor fd, ulong end)
    {
        Tmds.Linux.stat status;
        if (fstat(fd.Fd, &status) != 0) return false;
        if (!S_ISREG(status.st_mode)) return true;
        return (long)status.st_size >= 0 && (ulong)(long)status.st_size >= end;
    }
}

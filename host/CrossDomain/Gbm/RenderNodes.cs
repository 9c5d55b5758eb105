using CrossDomain.Interop;
using static Tmds.Linux.LibC;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>The host's DRM render nodes: where GBM allocates without needing DRM master.</summary>
public static unsafe class RenderNodes
{
    public const string Directory = "/dev/dri";
    public const string Conventional = "/dev/dri/renderD128";

    /// <summary>DRM's character-device major on Linux.</summary>
    private const uint DrmMajor = 226;

    /// <summary>
    /// The first renderD* node, or <see cref="Conventional"/> when there is none, so that opening it
    /// fails with a message naming the path operators expect.
    /// </summary>
    public static string First()
    {
        if (!System.IO.Directory.Exists(Directory)) return Conventional;
        return System.IO.Directory.EnumerateFileSystemEntries(Directory, "renderD*")
            .Order(StringComparer.Ordinal)
            .FirstOrDefault() ?? Conventional;
    }

    /// <summary>
    /// Whether the fd is a DRM character device. Checked before libgbm sees it: Mesa's GBM falls
    /// back to software rasterizers for an fd it cannot identify, which would "succeed" on
    /// /dev/null and fail only later, at allocation.
    /// </summary>
    public static bool IsDrmDevice(FileDescriptor fd)
    {
        Tmds.Linux.stat status;
        if (fstat(fd.Fd, &status) != 0 || !S_ISCHR(status.st_mode)) return false;
        ulong device = (ulong)status.st_rdev;
        // glibc's major(): the 12-bit major is split across bits 8-19 and 32-43.
        ulong major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfffUL);
        return major == DrmMajor;
    }
}

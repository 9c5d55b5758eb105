using System.Runtime.InteropServices;
using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Tests.Device;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// Whether this machine can run the GBM tests. The condition is only that the render node and
/// libgbm exist: if they do and the allocator still cannot be opened, the tests fail, since that
/// is a host that would wrongly tell guests it has no dma-bufs.
/// </summary>
internal static class HostGbm
{
    public const string SkipReason = "needs a render node (/dev/dri/renderD128) and libgbm";

    public static bool IsPresent =>
        File.Exists(RenderNodes.Conventional) && NativeLibrary.TryLoad("libgbm.so.1", out _);

    /// <summary>The allocator on the conventional render node; call after <c>Skip.IfNot(IsPresent, SkipReason)</c>.</summary>
    public static GbmAllocator Open()
    {
        var logger = new RecordingLogger();
        var allocator = GbmAllocator.TryOpen(RenderNodes.Conventional, logger);
        Assert.True(allocator is not null, $"GBM did not open: {string.Join("; ", logger.Entries.Select(entry => entry.Message))}");
        return allocator;
    }
}

using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>
/// Cross-domain usage flags as GBM_BO_USE_* bits. The two numberings agree only for SCANOUT,
/// RENDERING and LINEAR (PROTOCOL.md B.5); the other cross-domain bits (texturing, camera, video,
/// CPU access) have no GBM meaning and are dropped rather than passed on as unrelated GBM bits.
/// </summary>
internal static class GbmUsage
{
    public const uint Scanout = 1u << 0;
    public const uint Rendering = 1u << 2;
    public const uint Linear = 1u << 4;

    public static uint From(ImageUsageFlags flags)
    {
        uint usage = 0;
        if (flags.HasFlag(ImageUsageFlags.Scanout)) usage |= Scanout;
        if (flags.HasFlag(ImageUsageFlags.Rendering)) usage |= Rendering;
        if (flags.HasFlag(ImageUsageFlags.Linear)) usage |= Linear;
        return usage;
    }
}

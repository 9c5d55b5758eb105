namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// Capability set ids, which double as context types: the low byte of CTX_CREATE's
/// <c>context_init</c> picks one.
/// </summary>
public enum CapsetId : uint
{
    Virgl = 1,
    Virgl2 = 2,

    /// <summary>The spec calls it GFXSTREAM; Linux and rutabaga add the _VULKAN suffix.</summary>
    GfxstreamVulkan = 3,
    Venus = 4,
    CrossDomain = 5,

    /// <summary>DRM native context.</summary>
    Drm = 6,

    // The ids below exist only in rutabaga; neither the spec nor Linux defines them.
    Magma = 7,
    GfxstreamGles = 8,
    GfxstreamComposer = 9,
}

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// The 2D resource formats. Names list the bytes in memory order (Gallium's convention), the
/// reverse of DRM fourcc names: B8G8R8A8 is DRM_FORMAT_ARGB8888 on a little-endian machine.
/// </summary>
public enum VirtioGpuFormat : uint
{
    B8G8R8A8Unorm = 1,
    B8G8R8X8Unorm = 2,
    A8R8G8B8Unorm = 3,
    X8R8G8B8Unorm = 4,
    R8G8B8A8Unorm = 67,
    X8B8G8R8Unorm = 68,
    A8B8G8R8Unorm = 121,
    R8G8B8X8Unorm = 134,
}

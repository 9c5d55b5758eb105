namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// Allocation usage in GET_IMAGE_REQUIREMENTS: rutabaga's gralloc flags, numbered like minigbm's
/// BO_USE_*. GBM's GBM_BO_USE_* agree only for <see cref="Scanout"/>, <see cref="Rendering"/>
/// and <see cref="Linear"/>, which is all Wayland guests send.
/// </summary>
[Flags]
public enum ImageUsageFlags : uint
{
    None = 0,
    Scanout = 1u << 0,
    Rendering = 1u << 2,
    Linear = 1u << 4,
    Texturing = 1u << 5,
    CameraWrite = 1u << 6,
    CameraRead = 1u << 7,
    Protected = 1u << 8,
    SoftwareReadOften = 1u << 9,
    SoftwareWriteOften = 1u << 11,
    VideoDecoder = 1u << 13,
    VideoEncoder = 1u << 14,
}

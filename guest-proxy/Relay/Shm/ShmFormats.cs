using CrossDomain.VirtioGpu.Formats;

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>wl_shm formats: the DRM fourcc codes, except the first two, which predate that rule.</summary>
internal static class ShmFormats
{
    public const uint Argb8888 = 0;
    public const uint Xrgb8888 = 1;

    public static uint ToDrmFourcc(uint shmFormat) => shmFormat switch
    {
        Argb8888 => PackedDrmFormats.Argb8888,
        Xrgb8888 => PackedDrmFormats.Xrgb8888,
        _ => shmFormat,
    };

    /// <summary>Bytes per pixel of a single-plane format the bridge can shadow; 0 for any other.</summary>
    public static uint BytesPerPixel(uint shmFormat) => PackedDrmFormats.BytesPerPixel(ToDrmFourcc(shmFormat));
}

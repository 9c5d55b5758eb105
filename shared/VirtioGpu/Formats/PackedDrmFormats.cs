namespace CrossDomain.VirtioGpu.Formats;

/// <summary>
/// The single-plane DRM formats image templates can describe, by bytes per pixel: what wl_shm
/// clients draw in (ARGB/XRGB/ABGR/XBGR8888, RGB565, 10-bit and half-float), and R8, which
/// sommelier and wayland-proxy-virtwl use to shadow a whole wl_shm pool as one row of bytes.
/// Multi-planar YUV formats are left out: no wl_shm client here sends them, and without dma-bufs
/// no compositor would take them from us.
/// </summary>
public static class PackedDrmFormats
{
    // DRM fourccs: four ASCII characters, the first in the lowest byte.
    public const uint R8 = 'R' | '8' << 8 | ' ' << 16 | (uint)' ' << 24;
    public const uint R16 = 'R' | '1' << 8 | '6' << 16 | (uint)' ' << 24;
    public const uint Gr88 = 'G' | 'R' << 8 | '8' << 16 | (uint)'8' << 24;
    public const uint Rgb565 = 'R' | 'G' << 8 | '1' << 16 | (uint)'6' << 24;
    public const uint Bgr565 = 'B' | 'G' << 8 | '1' << 16 | (uint)'6' << 24;
    public const uint Xrgb1555 = 'X' | 'R' << 8 | '1' << 16 | (uint)'5' << 24;
    public const uint Argb1555 = 'A' | 'R' << 8 | '1' << 16 | (uint)'5' << 24;
    public const uint Xbgr1555 = 'X' | 'B' << 8 | '1' << 16 | (uint)'5' << 24;
    public const uint Abgr1555 = 'A' | 'B' << 8 | '1' << 16 | (uint)'5' << 24;
    public const uint Xrgb4444 = 'X' | 'R' << 8 | '1' << 16 | (uint)'2' << 24;
    public const uint Argb4444 = 'A' | 'R' << 8 | '1' << 16 | (uint)'2' << 24;
    public const uint Xbgr4444 = 'X' | 'B' << 8 | '1' << 16 | (uint)'2' << 24;
    public const uint Abgr4444 = 'A' | 'B' << 8 | '1' << 16 | (uint)'2' << 24;
    public const uint Rgb888 = 'R' | 'G' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Bgr888 = 'B' | 'G' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Argb8888 = 'A' | 'R' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Xrgb8888 = 'X' | 'R' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Abgr8888 = 'A' | 'B' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Xbgr8888 = 'X' | 'B' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Rgba8888 = 'R' | 'A' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Rgbx8888 = 'R' | 'X' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Bgra8888 = 'B' | 'A' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Bgrx8888 = 'B' | 'X' << 8 | '2' << 16 | (uint)'4' << 24;
    public const uint Argb2101010 = 'A' | 'R' << 8 | '3' << 16 | (uint)'0' << 24;
    public const uint Xrgb2101010 = 'X' | 'R' << 8 | '3' << 16 | (uint)'0' << 24;
    public const uint Abgr2101010 = 'A' | 'B' << 8 | '3' << 16 | (uint)'0' << 24;
    public const uint Xbgr2101010 = 'X' | 'B' << 8 | '3' << 16 | (uint)'0' << 24;
    public const uint Argb16161616F = 'A' | 'R' << 8 | '4' << 16 | (uint)'H' << 24;
    public const uint Xrgb16161616F = 'X' | 'R' << 8 | '4' << 16 | (uint)'H' << 24;
    public const uint Abgr16161616F = 'A' | 'B' << 8 | '4' << 16 | (uint)'H' << 24;
    public const uint Xbgr16161616F = 'X' | 'B' << 8 | '4' << 16 | (uint)'H' << 24;

    /// <summary>Bytes per pixel of <paramref name="fourcc"/>, or 0 for a format this host cannot lay out.</summary>
    public static uint BytesPerPixel(uint fourcc) => fourcc switch
    {
        R8 => 1,
        R16 or Gr88 or Rgb565 or Bgr565 or Xrgb1555 or Argb1555 or Xbgr1555 or Abgr1555
            or Xrgb4444 or Argb4444 or Xbgr4444 or Abgr4444 => 2,
        Rgb888 or Bgr888 => 3,
        Argb8888 or Xrgb8888 or Abgr8888 or Xbgr8888 or Rgba8888 or Rgbx8888 or Bgra8888 or Bgrx8888
            or Argb2101010 or Xrgb2101010 or Abgr2101010 or Xbgr2101010 => 4,
        Argb16161616F or Xrgb16161616F or Abgr16161616F or Xbgr16161616F => 8,
        _ => 0,
    };
}

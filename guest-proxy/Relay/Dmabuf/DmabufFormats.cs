using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.VirtioGpu.Formats;

namespace CrossDomain.GuestProxy.Relay.Dmabuf;

/// <summary>
/// What the proxy's linux-dmabuf offers: the 32-bit RGB formats a wl_shm shadow carries, each with
/// DRM_FORMAT_MOD_INVALID only (the driver's implicit layout, which is what the host reads back
/// through; Mesa then allocates without modifiers, as it must for virgl).
/// </summary>
internal static class DmabufFormats
{
    /// <summary>The global's name in each registry: far above the names a compositor hands out, which count from 1.</summary>
    public const uint GlobalName = 0xfffe_0001;

    public const uint Version = 4;

    public const ulong ImplicitModifier = 0x00ff_ffff_ffff_ffff;

    /// <summary>The fourccs offered, in the order of the format table.</summary>
    public static ReadOnlySpan<uint> Fourccs => [PackedDrmFormats.Argb8888, PackedDrmFormats.Xrgb8888];

    public const int BytesPerPixel = 4;

    /// <summary>The wl_shm format a buffer of <paramref name="fourcc"/> is shown in on the host; null for one not offered.</summary>
    public static uint? ToShm(uint fourcc) => fourcc switch
    {
        PackedDrmFormats.Argb8888 => ShmFormats.Argb8888,
        PackedDrmFormats.Xrgb8888 => ShmFormats.Xrgb8888,
        _ => null,
    };

    /// <summary>zwp_linux_dmabuf_feedback_v1's format table: per entry the fourcc, 4 bytes of padding, the modifier.</summary>
    public static byte[] FormatTable()
    {
        var table = new byte[Fourccs.Length * 16];
        for (int i = 0; i < Fourccs.Length; i++)
        {
            BitConverter.TryWriteBytes(table.AsSpan(i * 16), Fourccs[i]);
            BitConverter.TryWriteBytes(table.AsSpan(i * 16 + 8), ImplicitModifier);
        }
        return table;
    }
}

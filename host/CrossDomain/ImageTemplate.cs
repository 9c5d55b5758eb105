using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A reusable answer to GET_IMAGE_REQUIREMENTS: the layout of a linear, single-plane buffer in a
/// memfd. Every HOST3D blob the guest makes from it is new memory of exactly <see cref="Size"/>
/// bytes; the template itself stays for the context's life (guests cache its id).
/// <para>
/// Rows are aligned to <see cref="StrideAlignment"/> bytes: pixman (weston's and most compositors'
/// software renderer) wants 4-byte-aligned rows, which 3-byte and 1-byte formats do not give, and
/// 64 also keeps every row on its own cache lines. Guests read the stride from the answer; none
/// assumes width × bytes per pixel.
/// </para>
/// </summary>
internal sealed class ImageTemplate : HostItem
{
    public const uint StrideAlignment = 64;

    /// <summary>The page size blob sizes are rounded to: the host's, and never less than the guest's 4 KiB.</summary>
    public static readonly ulong PageSize = (ulong)Math.Max(Environment.SystemPageSize, 4096);

    private ImageTemplate(ImageTemplateKey key, uint stride, ulong size)
    {
        Key = key;
        Stride = stride;
        Size = size;
    }

    public ImageTemplateKey Key { get; }

    public uint Stride { get; }

    /// <summary>Page-rounded; a blob made from this template must ask for exactly this size.</summary>
    public ulong Size { get; }

    /// <summary>Lays out <paramref name="key"/>; null for an unknown format, an empty image or one over <paramref name="maxBytes"/>.</summary>
    public static ImageTemplate? TryCreate(ImageTemplateKey key, ulong maxBytes)
    {
        uint bytesPerPixel = PackedDrmFormats.BytesPerPixel(key.DrmFormat);
        if (bytesPerPixel == 0 || key.Width == 0 || key.Height == 0) return null;
        // Width and height are 32-bit and bytes per pixel at most 8: none of this overflows 64 bits.
        ulong stride = RoundUp((ulong)key.Width * bytesPerPixel, StrideAlignment);
        if (stride > uint.MaxValue) return null;
        ulong size = RoundUp(stride * key.Height, PageSize);
        if (size > maxBytes) return null;
        return new ImageTemplate(key, (uint)stride, size);
    }

    /// <summary>The answer written into the query ring for this template, named <paramref name="blobId"/>.</summary>
    public CrossDomainImageRequirements Requirements(uint blobId)
    {
        var requirements = new CrossDomainImageRequirements
        {
            Modifier = 0, // DRM_FORMAT_MOD_LINEAR
            Size = Size,
            BlobId = blobId,
            // rutabaga's map_info for system memory: cached, readable and writable.
            MapInfo = (uint)MapCacheType.Cached | MapInfoBits.AccessReadWrite,
            MemoryIndex = -1,
            PhysicalDeviceIndex = -1,
        };
        requirements.Strides[0] = Stride;
        requirements.Offsets[0] = 0;
        return requirements;
    }

    private static ulong RoundUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;
}

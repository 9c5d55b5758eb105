using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Formats;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A reusable answer to GET_IMAGE_REQUIREMENTS: the layout of the buffers the guest makes from it.
/// Every HOST3D blob the guest makes from it is new memory of exactly <see cref="Size"/> bytes; the
/// template itself stays for the context's life (guests cache its id). The memory is a memfd with
/// a linear, single-plane layout of our own, or, where the host has GBM, a dma-buf with the layout
/// and modifier the driver chose (<see cref="IsDmabuf"/>).
/// <para>
/// Memfd rows are aligned to <see cref="StrideAlignment"/> bytes: pixman (weston's and most
/// compositors' software renderer) wants 4-byte-aligned rows, which 3-byte and 1-byte formats do
/// not give, and 64 also keeps every row on its own cache lines. Guests read the stride from the
/// answer; none assumes width × bytes per pixel.
/// </para>
/// </summary>
internal sealed class ImageTemplate : HostItem
{
    public const uint StrideAlignment = 64;

    /// <summary>The planes an answer describes: CrossDomainImageRequirements has four strides and offsets.</summary>
    public const int PlaneCount = 4;

    /// <summary>
    /// What a template costs the host, charged to the device's host memory for as long as its
    /// context lives (the protocol never frees one): the object, its plane tables and its two
    /// table entries, rounded up.
    /// </summary>
    public const ulong HostBytes = 256;

    /// <summary>The page size blob sizes are rounded to: the host's, and never less than the guest's 4 KiB.</summary>
    public static readonly ulong PageSize = (ulong)Math.Max(Environment.SystemPageSize, 4096);

    private readonly uint[] _strides;
    private readonly uint[] _offsets;

    private ImageTemplate(ImageTemplateKey key, uint[] strides, uint[] offsets, ulong modifier, ulong size, bool isDmabuf)
    {
        Key = key;
        _strides = strides;
        _offsets = offsets;
        Modifier = modifier;
        Size = size;
        IsDmabuf = isDmabuf;
    }

    public ImageTemplateKey Key { get; }

    /// <summary>The first plane's row pitch (memfd templates have only that plane).</summary>
    public uint Stride => _strides[0];

    public ulong Modifier { get; }

    /// <summary>Page-rounded; a blob made from this template must ask for exactly this size.</summary>
    public ulong Size { get; }

    /// <summary>Whether blobs are GBM dma-bufs rather than memfds.</summary>
    public bool IsDmabuf { get; }

    /// <summary>
    /// Plane 0 as the device's transfers see it, for a guest that keeps its copy of such a buffer in
    /// its own pages; null when the buffers are not one linear plane, which no copy could match.
    /// </summary>
    public BlobImageLayout? TransferLayout
    {
        get
        {
            uint bytesPerPixel = PackedDrmFormats.BytesPerPixel(Key.DrmFormat);
            bool onePlane = _strides.AsSpan(1).IndexOfAnyExcept(0u) < 0 && _offsets.AsSpan(1).IndexOfAnyExcept(0u) < 0;
            if (bytesPerPixel == 0 || !onePlane || Modifier != 0 /* DRM_FORMAT_MOD_LINEAR */) return null;
            return new BlobImageLayout(_offsets[0], _strides[0], bytesPerPixel, Key.Width, Key.Height);
        }
    }

    /// <summary>Lays out <paramref name="key"/> linearly in a memfd; null for an unknown format, an empty image or one over <paramref name="maxBytes"/>.</summary>
    public static ImageTemplate? TryCreate(ImageTemplateKey key, ulong maxBytes)
    {
        uint bytesPerPixel = PackedDrmFormats.BytesPerPixel(key.DrmFormat);
        if (bytesPerPixel == 0 || key.Width == 0 || key.Height == 0) return null;
        // Width and height are 32-bit and bytes per pixel at most 8: none of this overflows 64 bits.
        ulong stride = RoundUp((ulong)key.Width * bytesPerPixel, StrideAlignment);
        if (stride > uint.MaxValue) return null;
        ulong size = RoundUpToPage(stride * key.Height);
        if (size > maxBytes) return null;
        var strides = new uint[PlaneCount];
        strides[0] = (uint)stride;
        return new ImageTemplate(key, strides, new uint[PlaneCount], modifier: 0 /* DRM_FORMAT_MOD_LINEAR */, size, isDmabuf: false);
    }

    /// <summary>A dma-buf template with the layout GBM gave <paramref name="probe"/>; every later buffer must match it.</summary>
    public static ImageTemplate FromGbmProbe(ImageTemplateKey key, GbmBuffer probe) =>
        new(key, [.. probe.Strides], [.. probe.Offsets], probe.Modifier, probe.Size, isDmabuf: true);

    /// <summary>
    /// Whether <paramref name="buffer"/> is laid out as this template says. GBM gives equal requests
    /// equal layouts, but the guest has only the template's answer to go by, so a buffer that
    /// differs is refused rather than handed over.
    /// </summary>
    public bool Describes(GbmBuffer buffer) =>
        buffer.Modifier == Modifier && buffer.Size == Size
        && buffer.Strides.SequenceEqual(_strides) && buffer.Offsets.SequenceEqual(_offsets);

    /// <summary>The answer written into the query ring for this template, named <paramref name="blobId"/>.</summary>
    public CrossDomainImageRequirements Requirements(uint blobId)
    {
        var requirements = new CrossDomainImageRequirements
        {
            Modifier = Modifier,
            Size = Size,
            BlobId = blobId,
            // rutabaga's map_info for system memory, and what its minigbm allocator reports for
            // dma-bufs too: cached, readable and writable. A dma-buf's host mapping has whatever
            // caching its exporter gives it; the guest's cache type only has to not fight that.
            MapInfo = (uint)MapCacheType.Cached | MapInfoBits.AccessReadWrite,
            MemoryIndex = -1,
            PhysicalDeviceIndex = -1,
        };
        for (int plane = 0; plane < PlaneCount; plane++)
        {
            requirements.Strides[plane] = _strides[plane];
            requirements.Offsets[plane] = _offsets[plane];
        }
        return requirements;
    }

    public static ulong RoundUpToPage(ulong value) => RoundUp(value, PageSize);

    private static ulong RoundUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;
}

/// <summary>What GET_IMAGE_REQUIREMENTS asks for; equal keys get the same template back.</summary>
internal readonly record struct ImageTemplateKey(uint Width, uint Height, uint DrmFormat, ImageUsageFlags Flags);

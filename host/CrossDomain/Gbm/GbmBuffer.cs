using CrossDomain.Interop;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>
/// A buffer GBM allocated, as the dma-buf fd that keeps it alive and the layout a guest needs to
/// use it. The gbm_bo itself is gone by the time this exists: the dma-buf holds the memory, and a
/// guest blob outlives any host-side bookkeeping.
/// </summary>
public sealed class GbmBuffer : IDisposable
{
    /// <summary>As many planes as a cross-domain answer can describe.</summary>
    public const int MaxPlanes = ImageTemplate.PlaneCount;

    internal GbmBuffer(FileDescriptor dmabuf, uint[] strides, uint[] offsets, ulong modifier, ulong size)
    {
        Dmabuf = dmabuf;
        Strides = strides;
        Offsets = offsets;
        Modifier = modifier;
        Size = size;
    }

    public FileDescriptor Dmabuf { get; }

    /// <summary>Bytes per row of each plane; <see cref="MaxPlanes"/> entries, 0 past the last plane.</summary>
    public IReadOnlyList<uint> Strides { get; }

    /// <summary>Where each plane starts in <see cref="Dmabuf"/>; <see cref="MaxPlanes"/> entries.</summary>
    public IReadOnlyList<uint> Offsets { get; }

    /// <summary>The DRM format modifier GBM chose (0 is DRM_FORMAT_MOD_LINEAR).</summary>
    public ulong Modifier { get; }

    /// <summary>The dma-buf's size (seeking to its end), rounded up to the host page size.</summary>
    public ulong Size { get; }

    public void Dispose() => Dmabuf.Dispose();
}

using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A RESOURCE_CREATE_BLOB resource: guest pages (GUEST), host memory made by a context (HOST3D), or
/// both (HOST3D_GUEST). Only host memory can be mapped into the host-visible window.
/// </summary>
public sealed class BlobResource : GpuResource
{
    /// <summary>Blob sizes and window offsets are in guest pages; 4 KiB divides every page size in use.</summary>
    public const ulong PageSize = 4096;

    internal BlobResource(uint id, BlobMemory memory, BlobFlags flags, ulong blobId, ulong size,
        GuestBacking? backing, HostBlob? hostMemory) : base(id)
    {
        Memory = memory;
        Flags = flags;
        BlobId = blobId;
        Size = size;
        Backing = backing;
        HostMemory = hostMemory;
    }

    public BlobMemory Memory { get; }

    public BlobFlags Flags { get; }

    /// <summary>The context-local object it was made from (HOST3D*); 0 for guest blobs.</summary>
    public ulong BlobId { get; }

    /// <summary>Size the guest gave: page-aligned, and the length of its window range when mapped.</summary>
    public ulong Size { get; }

    public HostBlob? HostMemory { get; }

    /// <summary>The range of the host-visible window the guest placed it at, if it is mapped.</summary>
    public WindowRange? Mapping { get; internal set; }

    /// <summary>
    /// How much of <see cref="Mapping"/> the host memory fills. The guest reserves the blob's whole
    /// size, but the memory behind it may be shorter (a compositor's keymap of a few KiB), and
    /// mapping whole pages past its end would fault when touched.
    /// </summary>
    public ulong HostBytesInWindow
    {
        get
        {
            if (HostMemory is null) return 0;
            // Size is page-aligned, so rounding up a length no larger than it cannot pass it.
            return PageAligned(Math.Min(Size, HostMemory.Size));
        }
    }

    /// <summary><paramref name="size"/> rounded up to whole pages: what a VMM maps of a file.</summary>
    public static ulong PageAligned(ulong size) => (size + PageSize - 1) / PageSize * PageSize;

    public bool IsMappable => HostMemory is not null && (Flags & BlobFlags.UseMappable) != 0;

    internal override void Release() => HostMemory?.Dispose();
}

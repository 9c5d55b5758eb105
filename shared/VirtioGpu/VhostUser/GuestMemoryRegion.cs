using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// One mapped region of the memory table. The whole fd range [0, mmap_offset + size) is mapped
/// (hugetlbfs refuses offsets that are not huge-page aligned, so mapping from 0 works for every
/// backing), and the region's first byte sits at <see cref="HostAddress"/>.
/// </summary>
public sealed class GuestMemoryRegion : IDisposable
{
    private readonly MemoryMapping _mapping;

    internal GuestMemoryRegion(MemoryRegion description, MemoryMapping mapping)
    {
        Description = description;
        _mapping = mapping;
    }

    public MemoryRegion Description { get; }

    public ulong GuestPhysicalAddress => Description.GuestPhysicalAddress;

    public ulong Size => Description.Size;

    public ulong UserAddress => Description.UserAddress;

    /// <summary>This process's address of guest-physical <see cref="GuestPhysicalAddress"/>.</summary>
    public nint HostAddress => _mapping.Address + (nint)Description.MmapOffset;

    /// <summary>Whether [<paramref name="address"/>, +<paramref name="length"/>) lies in [start, +size); overflow-safe.</summary>
    internal static bool Contains(ulong start, ulong size, ulong address, ulong length, out ulong offset)
    {
        offset = address - start;
        return address >= start && offset <= size && length <= size - offset;
    }

    internal bool OverlapsGuestPhysical(ulong start, ulong size) =>
        start < GuestPhysicalAddress + Size && GuestPhysicalAddress < start + size;

    public void Dispose() => _mapping.Dispose();
}

using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// One region of "guest RAM" a front-end shares: the fd (shareable, e.g. a memfd), where it sits
/// in guest-physical space, and where the caller mapped it (the user address vring addresses
/// are given in). The caller keeps ownership of <see cref="Fd"/>.
/// </summary>
public sealed record FrontendMemoryRegion(FileDescriptor Fd, ulong GuestPhysicalAddress, ulong Size, nint UserAddress, ulong MmapOffset = 0)
{
    public MemoryRegion ToWire() => new(GuestPhysicalAddress, Size, (ulong)UserAddress, MmapOffset);

    /// <summary>The user address of guest-physical [<paramref name="address"/>, +<paramref name="length"/>), when this region holds all of it.</summary>
    public bool TryGetUserAddress(ulong address, ulong length, out ulong userAddress)
    {
        bool inside = GuestMemoryRegion.Contains(GuestPhysicalAddress, Size, address, length, out ulong offset);
        userAddress = inside ? (ulong)UserAddress + offset : 0;
        return inside;
    }
}

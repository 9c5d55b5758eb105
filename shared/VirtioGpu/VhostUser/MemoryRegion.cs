using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>One region of the memory table: where guest RAM is, in all three address spaces.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MemoryRegion
{
    public ulong GuestPhysicalAddress;
    public ulong Size;

    /// <summary>The front-end's own virtual address of the region; vring addresses are given in this space.</summary>
    public ulong UserAddress;

    /// <summary>Where the region starts in the fd that comes with it.</summary>
    public ulong MmapOffset;

    public MemoryRegion(ulong guestPhysicalAddress, ulong size, ulong userAddress, ulong mmapOffset)
    {
        GuestPhysicalAddress = guestPhysicalAddress;
        Size = size;
        UserAddress = userAddress;
        MmapOffset = mmapOffset;
    }
}

using CrossDomain.VirtioGpu.Virtqueue;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Where the caller laid out one split virtqueue in guest RAM (guest-physical addresses; the
/// front-end turns them into user addresses for SET_VRING_ADDR through the memory regions).
/// </summary>
public sealed record FrontendVringLayout(ushort Size, ulong DescriptorTable, ulong AvailableRing, ulong UsedRing, ushort BaseIndex = 0)
{
    public ulong DescriptorTableLength => (ulong)VringLayout.DescriptorTableBytes(Size);

    /// <summary>flags, idx, ring[N], used_event.</summary>
    public ulong AvailableRingLength => (ulong)VringLayout.AvailRingBytes(Size);

    /// <summary>flags, idx, ring[N] of 8-byte elements, avail_event.</summary>
    public ulong UsedRingLength => (ulong)VringLayout.UsedRingBytes(Size);
}

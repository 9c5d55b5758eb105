using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// <c>vhost_vring_addr</c> of SET_VRING_ADDR. The three ring addresses are front-end user
/// (virtual) addresses, translated through the memory table's user_addr column; only
/// <see cref="LogGuestAddress"/> is guest-physical.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VringAddress
{
    public uint Index;
    public VringAddressFlags Flags;
    public ulong DescriptorTable;
    public ulong UsedRing;
    public ulong AvailableRing;
    public ulong LogGuestAddress;
}

[Flags]
public enum VringAddressFlags : uint
{
    None = 0,

    /// <summary>Dirty logging of the used ring, for migration; this back-end offers no logging.</summary>
    Log = 1 << 0,
}

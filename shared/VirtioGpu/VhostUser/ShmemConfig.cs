using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// GET_SHMEM_CONFIG's reply: the size of each VIRTIO Shared Memory Region, indexed by shmid.
/// Always the full 256 entries on the wire (the final form; an early QEMU draft had 8).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ShmemConfig
{
    public const int HeaderLength = 8;

    /// <summary>How many leading entries of <see cref="RegionSizes"/> are meaningful.</summary>
    public uint RegionCount;

    public uint Padding;
    public ShmemRegionSizes RegionSizes;
}

/// <summary>One u64 size per possible shmid (a u8).</summary>
[InlineArray(VhostUserLimits.MaxShmemRegions)]
public struct ShmemRegionSizes
{
    private ulong _element0;
}

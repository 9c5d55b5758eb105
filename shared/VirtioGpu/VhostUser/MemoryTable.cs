using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// SET_MEM_TABLE's payload at its largest. The sender puts only <see cref="RegionCount"/>
/// regions on the wire (8 + 32 × count bytes), one fd per region in the same order.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct MemoryTable
{
    public const int HeaderLength = 8;

    public uint RegionCount;
    public uint Padding;
    public MemoryTableRegions Regions;

    /// <summary>The payload length for <paramref name="regionCount"/> regions.</summary>
    public static int PayloadLength(int regionCount) => HeaderLength + regionCount * Unsafe.SizeOf<MemoryRegion>();
}

/// <summary>The region array of <see cref="MemoryTable"/>, as long as QEMU's VHOST_MEMORY_BASELINE_NREGIONS.</summary>
[InlineArray(VhostUserLimits.MaxMemTableRegions)]
public struct MemoryTableRegions
{
    private MemoryRegion _element0;
}

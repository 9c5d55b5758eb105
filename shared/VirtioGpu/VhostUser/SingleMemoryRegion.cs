using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>ADD_MEM_REG / REM_MEM_REG: one region behind 8 bytes of padding.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SingleMemoryRegion
{
    public ulong Padding;
    public MemoryRegion Region;

    public SingleMemoryRegion(MemoryRegion region)
    {
        Padding = 0;
        Region = region;
    }
}

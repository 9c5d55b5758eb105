using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The 40-byte payload of SHMEM_MAP (with one fd) and SHMEM_UNMAP (without; the fd fields are
/// ignored): [<see cref="ShmOffset"/>, +<see cref="Length"/>) of region <see cref="ShmId"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ShmemMapping
{
    public byte ShmId;
    public ShmemMappingPadding Padding;
    public ulong FdOffset;
    public ulong ShmOffset;
    public ulong Length;
    public ShmemMapFlags Flags;
}

[Flags]
public enum ShmemMapFlags : ulong
{
    /// <summary>Read-only mapping.</summary>
    None = 0,

    Writable = 1UL << 0,
}

/// <summary>The 7 bytes that align <see cref="ShmemMapping.FdOffset"/>.</summary>
[InlineArray(7)]
public struct ShmemMappingPadding
{
    private byte _element0;
}

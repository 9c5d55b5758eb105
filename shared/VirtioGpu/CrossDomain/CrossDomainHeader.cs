using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// Starts every cross-domain command in a SUBMIT_3D buffer and every message written into a
/// ring. The host writes only <see cref="Command"/> into a ring and leaves the rest 0:
/// wayland-proxy-virtwl reads the first word as a whole and accepts only 5 or 6.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainHeader
{
    public CrossDomainCommand Command;

    /// <summary>Called <c>fence_ctx_idx</c> in C; the host ignores it.</summary>
    public byte RingIndex;

    /// <summary>Whole command including this header and trailing data; commands are packed back to back by it.</summary>
    public ushort CommandSize;

    public uint Padding;
}

/// <summary>
/// The <c>cmd</c> byte of a cross-domain header. Numbering of magma-gpu/rutabaga_gfx; the
/// libkrun fork reuses 8–12 for its futex and eventfd commands and gives 12 a different meaning,
/// so 8 and above are only understood by a peer known to speak rutabaga's dialect.
/// </summary>
public enum CrossDomainCommand : byte
{
    Init = 1,
    GetImageRequirements = 2,
    Poll = 3,

    /// <summary>Guest to host: Wayland bytes plus identifiers.</summary>
    Send = 4,

    /// <summary>Host to guest, written into the channel ring.</summary>
    Receive = 5,

    /// <summary>Host to guest, written into the channel ring: data from a host read pipe.</summary>
    Read = 6,

    /// <summary>Guest to host: data for a host write pipe.</summary>
    Write = 7,

    /// <summary>libkrun: FUTEX_NEW, same layout.</summary>
    CreateAtomicMemorySentinel = 8,

    /// <summary>Both directions. libkrun: FUTEX_SIGNAL.</summary>
    SignalAtomicMemorySentinel = 9,

    /// <summary>libkrun: FUTEX_DESTROY.</summary>
    DestroyAtomicMemorySentinel = 10,

    /// <summary>libkrun: READ_EVENTFD_NEW, same layout.</summary>
    ReadCreateEvent = 11,

    /// <summary>libkrun uses 12 for READ_EVENTFD_DESTROY instead.</summary>
    ImportVirtioFsHandle = 12,

    AssignSocketUuid = 13,
}

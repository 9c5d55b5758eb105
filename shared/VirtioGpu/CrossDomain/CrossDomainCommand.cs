namespace CrossDomain.VirtioGpu.CrossDomain;

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

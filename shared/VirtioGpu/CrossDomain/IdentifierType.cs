namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// What an identifier in SEND/RECEIVE names. Numbering of magma-gpu/rutabaga_gfx; libkrun
/// uses 5 for SHM and 6 for EVENTFD instead.
/// </summary>
public enum IdentifierType : uint
{
    /// <summary>
    /// Guest to host: a virtio-gpu resource id (blob or not). Host to guest: a host item id the
    /// guest turns into a HOST3D blob.
    /// </summary>
    VirtgpuBlob = 1,

    /// <summary>Defined, never used by anyone.</summary>
    VirtgpuSync = 2,

    /// <summary>Guest to host only: the guest reads what the host compositor writes.</summary>
    ReadPipe = 3,

    /// <summary>Host to guest only: the guest writes, the host compositor reads.</summary>
    WritePipe = 4,

    /// <summary>An eventfd.</summary>
    Event = 5,

    /// <summary>Guest to host: a regular file imported with IMPORT_VIRTIOFS_HANDLE.</summary>
    VirtioFsBlob = 6,

    /// <summary>Host to guest.</summary>
    Socket = 7,
}

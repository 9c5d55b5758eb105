using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A RESOURCE_CREATE_BLOB routed to a context (HOST3D or HOST3D_GUEST), already validated by the
/// device: the resource id is free, the size is page-aligned and non-zero, the flags are known.
/// </summary>
public readonly record struct HostBlobRequest(
    uint ResourceId,
    BlobMemory Memory,
    BlobFlags Flags,
    ulong BlobId,
    ulong Size,
    GuestBacking? GuestBacking);

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>Where a blob's memory lives.</summary>
public enum BlobMemory : uint
{
    /// <summary>Zero is not a valid blob_mem; a command carrying it is rejected.</summary>
    Invalid = 0,

    /// <summary>Guest pages only, given by the memory entries.</summary>
    Guest = 1,

    /// <summary>Host memory only, made from the object <c>blob_id</c> of context <c>hdr.ctx_id</c>.</summary>
    Host3D = 2,

    /// <summary>A host object plus guest shadow pages.</summary>
    Host3DGuest = 3,
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// RESOURCE_CREATE_BLOB: <see cref="EntryCount"/> <see cref="MemoryEntry"/> records follow
/// (none for <see cref="BlobMemory.Host3D"/>). The resource id is chosen by the guest and is
/// device-global.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceCreateBlobCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public BlobMemory BlobMemory;
    public BlobFlags BlobFlags;
    public uint EntryCount;
    public ulong BlobId;
    public ulong Size;
}

/// <summary>RESOURCE_MAP_BLOB: place the blob at <see cref="Offset"/> inside shared memory region 1.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceMapBlobCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
    public ulong Offset;
}

[StructLayout(LayoutKind.Sequential)]
public struct MapInfoResponse
{
    public ControlHeader Header;
    public MapCacheType MapInfo;
    public uint Padding;
}

[StructLayout(LayoutKind.Sequential)]
public struct ResourceUnmapBlobCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
}

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

[Flags]
public enum BlobFlags : uint
{
    None = 0,

    /// <summary>The guest CPU will map it through the host-visible shared memory region.</summary>
    UseMappable = 0x1,

    /// <summary>It may be exported, e.g. as a dma-buf.</summary>
    UseShareable = 0x2,

    /// <summary>Shared with other virtio devices; the guest also sends ASSIGN_UUID.</summary>
    UseCrossDevice = 0x4,

    /// <summary>crosvm/minigbm only, not upstream; Linux never sends it.</summary>
    CreateGuestHandle = 0x8,
}

/// <summary>
/// The caching a guest must use for a mapped blob (<c>map_info</c> of RESP_OK_MAP_INFO).
/// Linux compares the whole word with <see cref="WriteCombined"/> and <see cref="Uncached"/>,
/// so a response must carry these bits and nothing else.
/// </summary>
public enum MapCacheType : uint
{
    None = 0x00,
    Cached = 0x01,
    Uncached = 0x02,
    WriteCombined = 0x03,
}

/// <summary>
/// rutabaga's <c>map_info</c> word: a <see cref="MapCacheType"/> in the low nibble plus access
/// bits. It travels in cross-domain image requirements, never in a virtio response.
/// </summary>
public static class MapInfoBits
{
    public const uint CacheMask = 0x0f;
    public const uint AccessRead = 0x10;
    public const uint AccessWrite = 0x20;
    public const uint AccessReadWrite = AccessRead | AccessWrite;
    public const uint AccessMask = 0xf0;
}

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

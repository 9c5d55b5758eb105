using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

[StructLayout(LayoutKind.Sequential)]
public struct ResourceCreate2DCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public VirtioGpuFormat Format;
    public uint Width;
    public uint Height;
}

/// <summary>RESOURCE_UNREF. Linux sends UNMAP_BLOB first when the resource was mapped.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceUnrefCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
}

/// <summary>
/// TRANSFER_TO_HOST_2D: copy <see cref="Rect"/> from the guest backing, starting at byte
/// <see cref="Offset"/> of it, into the host copy of the resource.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct TransferToHost2DCommand
{
    public ControlHeader Header;
    public Rect Rect;
    public ulong Offset;
    public uint ResourceId;
    public uint Padding;
}

/// <summary>RESOURCE_ATTACH_BACKING: <see cref="EntryCount"/> <see cref="MemoryEntry"/> records follow.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceAttachBackingCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint EntryCount;
}

[StructLayout(LayoutKind.Sequential)]
public struct ResourceDetachBackingCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
}

/// <summary>
/// The 2D resource formats. Names list the bytes in memory order (Gallium's convention), the
/// reverse of DRM fourcc names: B8G8R8A8 is DRM_FORMAT_ARGB8888 on a little-endian machine.
/// </summary>
public enum VirtioGpuFormat : uint
{
    B8G8R8A8Unorm = 1,
    B8G8R8X8Unorm = 2,
    A8R8G8B8Unorm = 3,
    X8R8G8B8Unorm = 4,
    R8G8B8A8Unorm = 67,
    X8B8G8R8Unorm = 68,
    A8B8G8R8Unorm = 121,
    R8G8B8X8Unorm = 134,
}

/// <summary>
/// <c>virtio_gpu_mem_entry</c>: one guest-physical segment of a resource's backing, as it follows
/// ATTACH_BACKING and RESOURCE_CREATE_BLOB.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct MemoryEntry
{
    public ulong Address;
    public uint Length;
    public uint Padding;
}

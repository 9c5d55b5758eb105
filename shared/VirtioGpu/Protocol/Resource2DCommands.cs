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

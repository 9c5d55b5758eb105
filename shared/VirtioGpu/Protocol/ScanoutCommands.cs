using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>SET_SCANOUT: resource id 0 disables the scanout.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SetScanoutCommand
{
    public ControlHeader Header;
    public Rect Rect;
    public uint ScanoutId;
    public uint ResourceId;
}

[StructLayout(LayoutKind.Sequential)]
public struct ResourceFlushCommand
{
    public ControlHeader Header;
    public Rect Rect;
    public uint ResourceId;
    public uint Padding;
}

/// <summary>
/// SET_SCANOUT_BLOB: a blob carries no format of its own, so the command describes the image
/// (size, format, up to four planes).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SetScanoutBlobCommand
{
    public ControlHeader Header;
    public Rect Rect;
    public uint ScanoutId;
    public uint ResourceId;
    public uint Width;
    public uint Height;
    public VirtioGpuFormat Format;
    public uint Padding;
    public FixedArray4<uint> Strides;
    public FixedArray4<uint> Offsets;
}

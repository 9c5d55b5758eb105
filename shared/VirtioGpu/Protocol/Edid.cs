using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

[StructLayout(LayoutKind.Sequential)]
public struct GetEdidCommand
{
    public ControlHeader Header;
    public uint ScanoutId;
    public uint Padding;
}

/// <summary>RESP_OK_EDID: <see cref="Size"/> says how much of the fixed 1024-byte block is valid.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct EdidResponse
{
    public ControlHeader Header;
    public uint Size;
    public uint Padding;
    public FixedArray1024<byte> Edid;
}

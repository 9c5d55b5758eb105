using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

[StructLayout(LayoutKind.Sequential)]
public struct CursorPosition
{
    public uint ScanoutId;
    public uint X;
    public uint Y;
    public uint Padding;
}

/// <summary>
/// UPDATE_CURSOR and MOVE_CURSOR share this layout; MOVE_CURSOR looks only at
/// <see cref="Position"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct UpdateCursorCommand
{
    public ControlHeader Header;
    public CursorPosition Position;
    public uint ResourceId;
    public uint HotX;
    public uint HotY;
    public uint Padding;
}

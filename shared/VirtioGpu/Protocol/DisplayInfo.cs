using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>One entry of <c>pmodes</c>: the preferred geometry of a scanout.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DisplayMode
{
    public Rect Rect;
    public uint Enabled;
    public uint Flags;
}

[InlineArray(VirtioGpuLimits.MaxScanouts)]
public struct DisplayModeArray
{
    private DisplayMode _element0;
}

/// <summary>RESP_OK_DISPLAY_INFO: always all 16 entries, whatever <c>num_scanouts</c> says.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DisplayInfoResponse
{
    public ControlHeader Header;
    public DisplayModeArray Modes;
}

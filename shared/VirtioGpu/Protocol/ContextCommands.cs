using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>CTX_CREATE: the new context's id is <c>Header.ContextId</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ContextCreateCommand
{
    /// <summary>
    /// The bits of <see cref="ContextInit"/> that hold the capset id of the context type;
    /// 0 there means the device's default type.
    /// </summary>
    public const uint CapsetIdMask = 0xff;

    public ControlHeader Header;

    /// <summary>Length of <see cref="DebugName"/> without the NUL; the name is NUL-terminated only if it fits.</summary>
    public uint NameLength;
    public uint ContextInit;
    public FixedArray64<byte> DebugName;
}

[StructLayout(LayoutKind.Sequential)]
public struct ContextDestroyCommand
{
    public ControlHeader Header;
}

/// <summary>CTX_ATTACH_RESOURCE and CTX_DETACH_RESOURCE share this layout.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ContextResourceCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// INIT in the forms that name a separate channel ring. They differ only in what follows
/// <see cref="ChannelType"/>, and <c>Header.CommandSize</c> says which form arrived:
/// <see cref="V1Size"/> (sommelier, wayland-proxy-virtwl) stops there,
/// <see cref="LibkrunSize"/> adds <see cref="ProtocolVersion"/>, <see cref="InternalSocketSize"/>
/// adds <see cref="InternalSocketUuid"/>. Those two tails overlap on the wire, so they overlap
/// here; read only the one the size names, with the bytes past <c>CommandSize</c> zeroed.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = InternalSocketSize)]
public struct CrossDomainInit
{
    public const int V1Size = 20;

    /// <summary>libkrun's "V1" (muvm). magma-gpu/rutabaga_gfx rejects this size.</summary>
    public const int LibkrunSize = 24;

    /// <summary>magma-gpu/rutabaga_gfx's current form.</summary>
    public const int InternalSocketSize = 36;

    [FieldOffset(0)] public CrossDomainHeader Header;

    /// <summary>Resource id of the query ring page.</summary>
    [FieldOffset(8)] public uint QueryRingId;

    /// <summary>Resource id of the channel ring page.</summary>
    [FieldOffset(12)] public uint ChannelRingId;

    [FieldOffset(16)] public ChannelType ChannelType;

    /// <summary>Only in the 24-byte libkrun form; muvm sends 1.</summary>
    [FieldOffset(20)] public uint ProtocolVersion;

    /// <summary>Only in the 36-byte form, and used only with <see cref="ChannelType.InternalSocket"/>.</summary>
    [FieldOffset(20)] public FixedArray16<byte> InternalSocketUuid;
}

/// <summary>
/// INIT as ChromeOS LTS, minigbm and 2022-era sommelier send it: one ring serves as both the
/// query and the channel ring.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainInitLegacy
{
    public const int Size = 16;

    public CrossDomainHeader Header;
    public uint QueryRingId;
    public ChannelType ChannelType;
}

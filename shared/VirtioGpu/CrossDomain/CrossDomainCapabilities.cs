using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>The cross-domain capset (id 5, version 0), as GET_CAPSET returns it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainCapabilities
{
    /// <summary>
    /// Means "commands 1–7 are understood"; later commands never raised it, so it says
    /// nothing about them.
    /// </summary>
    public const uint CurrentVersion = 1;

    public const uint CapsetMaxVersion = 0;

    /// <summary>
    /// Ours: rutabaga's 16 bytes and <see cref="Extensions"/>. Linux copies min(asked, offered)
    /// bytes, so guests that ask for 16 (sommelier, wayland-proxy-virtwl, minigbm) see rutabaga's
    /// capset, and we see <see cref="Extensions"/> = 0 from a host that offers only 16.
    /// </summary>
    public const uint CapsetMaxSize = 20;

    /// <summary>The size rutabaga (crosvm, libkrun) offers: no <see cref="Extensions"/>.</summary>
    public const int RutabagaSize = 16;

    public uint Version;

    /// <summary>OR of <see cref="ChannelBit"/> over the channels the host can open.</summary>
    public uint SupportedChannels;

    public uint SupportsDmabuf;
    public uint SupportsExternalGpuMemory;

    /// <summary>What this host does beyond rutabaga's protocol (docs/EXTENSIONS.md); 0 from other hosts.</summary>
    public CrossDomainExtensions Extensions;

    /// <summary>
    /// The bit of <paramref name="channel"/> in <see cref="SupportedChannels"/>, or 0 for types
    /// that have none (C# would silently wrap a shift of 32 or more).
    /// </summary>
    public static uint ChannelBit(ChannelType channel) =>
        (uint)channel < 32 ? 1u << (int)channel : 0;
}

/// <summary>Our additions to the cross-domain protocol, offered in <see cref="CrossDomainCapabilities.Extensions"/>.</summary>
[Flags]
public enum CrossDomainExtensions : uint
{
    None = 0,

    /// <summary>
    /// For guests without host-visible memory: HOST3D_GUEST blobs of image templates and of
    /// received memory, whose boxes TRANSFER_TO_HOST_3D copies into the host memory (and
    /// TRANSFER_FROM_HOST_3D back), laid out as the template's answer says.
    /// </summary>
    GuestMemoryTransfers = 1 << 0,
}

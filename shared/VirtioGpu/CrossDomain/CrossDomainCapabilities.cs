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
    public const uint CapsetMaxSize = 16;

    public uint Version;

    /// <summary>OR of <see cref="ChannelBit"/> over the channels the host can open.</summary>
    public uint SupportedChannels;

    public uint SupportsDmabuf;
    public uint SupportsExternalGpuMemory;

    /// <summary>
    /// The bit of <paramref name="channel"/> in <see cref="SupportedChannels"/>, or 0 for types
    /// that have none (C# would silently wrap a shift of 32 or more).
    /// </summary>
    public static uint ChannelBit(ChannelType channel) =>
        (uint)channel < 32 ? 1u << (int)channel : 0;
}

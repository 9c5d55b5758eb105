using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// Starts every cross-domain command in a SUBMIT_3D buffer and every message written into a
/// ring. The host writes only <see cref="Command"/> into a ring and leaves the rest 0:
/// wayland-proxy-virtwl reads the first word as a whole and accepts only 5 or 6.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainHeader
{
    public CrossDomainCommand Command;

    /// <summary>Called <c>fence_ctx_idx</c> in C; the host ignores it.</summary>
    public byte RingIndex;

    /// <summary>Whole command including this header and trailing data; commands are packed back to back by it.</summary>
    public ushort CommandSize;

    public uint Padding;
}

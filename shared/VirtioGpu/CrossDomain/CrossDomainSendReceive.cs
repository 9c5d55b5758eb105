using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// SEND (guest to host) and RECEIVE (host to guest, in the channel ring). The Wayland bytes,
/// <see cref="OpaqueDataSize"/> of them, follow at <see cref="Size"/>; entries past
/// <see cref="IdentifierCount"/> are unused.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainSendReceive
{
    /// <summary>Where the opaque data starts.</summary>
    public const int Size = 16 + 3 * sizeof(uint) * CrossDomainLimits.MaxIdentifiers;

    public CrossDomainHeader Header;
    public uint IdentifierCount;
    public uint OpaqueDataSize;
    public IdentifierArray Identifiers;
    public IdentifierArray IdentifierTypes;

    /// <summary>RECEIVE only: the size of each VirtgpuBlob, so the guest can create the blob.</summary>
    public IdentifierArray IdentifierSizes;
}

[InlineArray(CrossDomainLimits.MaxIdentifiers)]
public struct IdentifierArray
{
    private uint _element0;
}

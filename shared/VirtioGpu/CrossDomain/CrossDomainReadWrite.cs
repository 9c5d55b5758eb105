using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// READ (host to guest, in the channel ring) and WRITE (guest to host): pipe data for
/// <see cref="Identifier"/>. <see cref="OpaqueDataSize"/> bytes follow at <see cref="Size"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainReadWrite
{
    /// <summary>Where the data starts.</summary>
    public const int Size = 24;

    public CrossDomainHeader Header;
    public uint Identifier;

    /// <summary>
    /// Non-zero: the sender's end is closed after this data. Guests differ in when they set it
    /// (sommelier also on short reads), so treat it only as "close after writing".
    /// </summary>
    public uint HangUp;

    public uint OpaqueDataSize;
    public uint Padding;
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>RESOURCE_ASSIGN_UUID: names a resource so other virtio devices can import it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ResourceAssignUuidCommand
{
    public ControlHeader Header;
    public uint ResourceId;
    public uint Padding;
}

[StructLayout(LayoutKind.Sequential)]
public struct ResourceUuidResponse
{
    public ControlHeader Header;

    /// <summary>
/// Raw bytes rather than a <see cref="Guid"/>, which would read the first three fields
/// little-endian and print a different text form than everyone else.
/// </summary>
    public FixedArray16<byte> Uuid;
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>GET_CAPSET_INFO: <see cref="CapsetIndex"/> is dense (0..num_capsets-1), not a capset id.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GetCapsetInfoCommand
{
    public ControlHeader Header;
    public uint CapsetIndex;
    public uint Padding;
}

[StructLayout(LayoutKind.Sequential)]
public struct CapsetInfoResponse
{
    public ControlHeader Header;
    public CapsetId CapsetId;
    public uint CapsetMaxVersion;
    public uint CapsetMaxSize;
    public uint Padding;
}

/// <summary>
/// GET_CAPSET. The RESP_OK_CAPSET answer has no struct of its own: the header, then exactly
/// <c>capset_max_size</c> bytes of capset data, because that is all Linux makes room for.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct GetCapsetCommand
{
    public ControlHeader Header;
    public CapsetId CapsetId;
    public uint CapsetVersion;
}

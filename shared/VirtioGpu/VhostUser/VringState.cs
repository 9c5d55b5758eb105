using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// <c>vhost_vring_state</c>: a ring index and one number, whose meaning depends on the request
/// (queue size, next available index, enable flag).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VringState
{
    public uint Index;
    public uint Number;

    public VringState(uint index, uint number)
    {
        Index = index;
        Number = number;
    }
}

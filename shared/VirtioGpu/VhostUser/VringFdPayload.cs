using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The u64 of SET_VRING_KICK / SET_VRING_CALL / SET_VRING_ERR: the ring index in bits 0-7 and,
/// in bit 8, "no fd attached" (the ring is polled, or notified in band).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct VringFdPayload
{
    public const ulong IndexMask = 0xFF;
    public const ulong NoFdFlag = 0x100;

    public ulong Value;

    public VringFdPayload(uint index, bool noFd)
    {
        Value = (index & IndexMask) | (noFd ? NoFdFlag : 0);
    }

    public readonly uint Index => (uint)(Value & IndexMask);

    public readonly bool HasNoFd => (Value & NoFdFlag) != 0;
}

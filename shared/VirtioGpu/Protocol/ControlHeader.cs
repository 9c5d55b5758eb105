using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary><c>virtio_gpu_ctrl_hdr</c>: the first 24 bytes of every request and every response.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ControlHeader
{
    public CommandType Type;
    public ControlHeaderFlags Flags;
    public ulong FenceId;
    public uint ContextId;

    /// <summary>Context-local fence timeline; meaningful only with <see cref="ControlHeaderFlags.InfoRingIndex"/>.</summary>
    public byte RingIndex;

    public FixedArray3<byte> Padding;
}

[Flags]
public enum ControlHeaderFlags : uint
{
    None = 0,

    /// <summary>Return the descriptor only once the work is done, echoing the fence id.</summary>
    Fence = 1 << 0,

    /// <summary>The fence is on the timeline (context id, ring index) instead of the global one.</summary>
    InfoRingIndex = 1 << 1,
}

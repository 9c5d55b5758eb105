using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_execbuffer</c>: <see cref="Size"/> bytes at <see cref="Command"/> become a
/// SUBMIT_3D on the file's context. The kernel attaches a fence only for FENCE_FD_OUT,
/// out-syncobjs, any BO handle, or a RING_IDX submission on a polled ring.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuExecbuffer
{
    /// <summary>The layout from before syncobjs: it ends after <see cref="RingIndex"/> and a pad.</summary>
    public const int SizeWithRingIndex = 40;

    /// <summary>The layout before ring indices (Linux before 5.16): it ends after <see cref="FenceFd"/>.</summary>
    public const int OriginalSize = 32;

    public VirtgpuExecbufferFlags Flags;
    public uint Size;
    public ulong Command;

    /// <summary>User pointer to <see cref="BoHandleCount"/> u32 GEM handles; the fence lands on each.</summary>
    public ulong BoHandles;
    public uint BoHandleCount;

    /// <summary>In: a sync_file to wait for (FENCE_FD_IN). Out: a new sync_file (FENCE_FD_OUT).</summary>
    public int FenceFd;

    /// <summary>With <see cref="VirtgpuExecbufferFlags.RingIndex"/>; below the context's NUM_RINGS.</summary>
    public uint RingIndex;

    /// <summary>Size of one <see cref="DrmVirtgpuExecbufferSyncobj"/>, so the array can grow later.</summary>
    public uint SyncobjStride;
    public uint InSyncobjCount;
    public uint OutSyncobjCount;
    public ulong InSyncobjs;
    public ulong OutSyncobjs;
}

[Flags]
public enum VirtgpuExecbufferFlags : uint
{
    None = 0,
    FenceFdIn = 0x01,
    FenceFdOut = 0x02,
    RingIndex = 0x04,
}

[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuExecbufferSyncobj
{
    /// <summary><c>VIRTGPU_EXECBUF_SYNCOBJ_RESET</c> in <see cref="Flags"/>.</summary>
    public const uint FlagReset = 0x01;

    public uint Handle;
    public uint Flags;
    public ulong Point;
}

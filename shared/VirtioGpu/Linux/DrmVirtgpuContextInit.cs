using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_context_init</c>: must be the first context-creating ioctl on the file
/// (EEXIST otherwise); the kernel sends CTX_CREATE at once.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuContextInit
{
    /// <summary>At most 4 (3 on kernels without DEBUG_NAME).</summary>
    public uint ParamCount;

    public uint Padding;

    /// <summary>User pointer to <see cref="ParamCount"/> <see cref="DrmVirtgpuContextSetParam"/>.</summary>
    public ulong SetParams;
}

[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuContextSetParam
{
    public VirtgpuContextParam Param;
    public ulong Value;
}

public enum VirtgpuContextParam : ulong
{
    /// <summary>Must be one of SUPPORTED_CAPSET_IDs; may be set once.</summary>
    CapsetId = 1,

    /// <summary>Number of fence timelines (up to 64); needed before any RING_IDX submission.</summary>
    NumRings = 2,

    /// <summary>Rings whose fences raise a DRM event; a subset of NumRings.</summary>
    PollRingsMask = 3,

    /// <summary>User pointer to the name sent in CTX_CREATE. Newer kernels only.</summary>
    DebugName = 4,
}

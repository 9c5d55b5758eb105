using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_map</c>: yields the fake offset to pass to <c>mmap</c> on the DRM fd. Needs
/// a MAPPABLE blob.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuMap
{
    /// <summary>Out.</summary>
    public ulong Offset;
    public uint Handle;
    public uint Padding;
}

/// <summary>
/// <c>drm_virtgpu_resource_info</c>: how a guest turns a GEM handle into the resource id that
/// cross-domain SEND expects.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuResourceInfo
{
    /// <summary>In.</summary>
    public uint BoHandle;

    /// <summary>Out: the virtio-gpu resource id.</summary>
    public uint ResourceHandle;

    public uint Size;

    /// <summary>Filled only for blobs. Older headers called this field <c>stride</c>.</summary>
    public VirtgpuBlobMemory BlobMemory;
}

/// <summary>
/// <c>drm_virtgpu_3d_wait</c>: waits (up to 15 s) for the fences on a BO; EBUSY if they have not
/// signalled.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpu3DWait
{
    /// <summary><c>VIRTGPU_WAIT_NOWAIT</c> in <see cref="Flags"/>: only ask, do not wait.</summary>
    public const uint FlagNoWait = 1;

    public uint Handle;
    public uint Flags;
}

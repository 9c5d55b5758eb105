using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.VirtioGpu.Linux;

// The virgl-era resource ioctls. Cross-domain guests do not use them; they are here so the
// ioctl numbers can be derived from real sizes and a local-mode driver can serve virgl clients.

/// <summary><c>drm_virtgpu_resource_create</c>: sends RESOURCE_CREATE_3D.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuResourceCreate
{
    public Resource3DDescription Description;

    /// <summary>Out: the GEM handle.</summary>
    public uint BoHandle;

    /// <summary>Out: the virtio-gpu resource id.</summary>
    public uint ResourceHandle;

    public uint Size;
    public uint Stride;
}

/// <summary>
/// <c>drm_virtgpu_3d_transfer_to_host</c> and <c>_from_host</c>, which share this layout. Their
/// <c>drm_virtgpu_3d_box</c> is virtio_gpu_box's six words, which the kernel passes on as they are.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpu3DTransfer
{
    public uint BoHandle;
    public Box Box;
    public uint Level;
    public uint Offset;
    public uint Stride;
    public uint LayerStride;
}

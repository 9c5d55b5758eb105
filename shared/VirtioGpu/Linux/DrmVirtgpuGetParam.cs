using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_getparam</c>. <see cref="Value"/> is not the answer but a user pointer to a
/// 32-bit int that the kernel fills in.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuGetParam
{
    public VirtgpuParam Param;
    public ulong Value;
}

public enum VirtgpuParam : ulong
{
    /// <summary>VIRGL was negotiated (and the guest is little-endian). Every 3D ioctl needs it.</summary>
    Features3D = 1,

    /// <summary>The kernel always answers 1.</summary>
    CapsetQueryFix = 2,

    ResourceBlob = 3,

    /// <summary>The host-visible shared memory region exists, so HOST3D blobs can be mapped.</summary>
    HostVisible = 4,

    /// <summary>RESOURCE_UUID was negotiated.</summary>
    CrossDevice = 5,

    ContextInit = 6,

    /// <summary>Bit n set: capset id n is offered.</summary>
    SupportedCapsetIds = 7,

    /// <summary>Newer kernels only; older ones answer EINVAL.</summary>
    ExplicitDebugName = 8,
}

/// <summary>
/// <c>drm_virtgpu_get_caps</c>: copies min(<see cref="Size"/>, capset size) bytes of a capset
/// into the user buffer at <see cref="Address"/>. A size of 0 is EINVAL.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuGetCaps
{
    public uint CapsetId;
    public uint CapsetVersion;
    public ulong Address;
    public uint Size;
    public uint Padding;
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// <c>drm_virtgpu_resource_create_blob</c>. The kernel page-aligns <see cref="Size"/>, sends
/// the optional command buffer as SUBMIT_3D first, then RESOURCE_CREATE_BLOB, then MAP_BLOB if
/// mappable.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVirtgpuResourceCreateBlob
{
    public VirtgpuBlobMemory BlobMemory;
    public VirtgpuBlobFlags BlobFlags;

    /// <summary>Out: the GEM handle.</summary>
    public uint BoHandle;

    /// <summary>Out: the virtio-gpu resource id.</summary>
    public uint ResourceHandle;

    public ulong Size;
    public uint Padding;

    /// <summary>HOST3D only; a multiple of 4.</summary>
    public uint CommandSize;

    /// <summary>User pointer to a command buffer submitted before the blob is created.</summary>
    public ulong Command;

    /// <summary>Must be 0 for <see cref="VirtgpuBlobMemory.Guest"/>.</summary>
    public ulong BlobId;
}

/// <summary>Same values as the device's blob_mem.</summary>
public enum VirtgpuBlobMemory : uint
{
    Guest = 1,
    Host3D = 2,
    Host3DGuest = 3,
}

/// <summary>The device's blob flags that the kernel lets through; any other bit is EINVAL.</summary>
[Flags]
public enum VirtgpuBlobFlags : uint
{
    None = 0,

    /// <summary>For HOST3D, needs HOST_VISIBLE: the map is set up at creation.</summary>
    UseMappable = 0x1,
    UseShareable = 0x2,

    /// <summary>Needs CROSS_DEVICE.</summary>
    UseCrossDevice = 0x4,
}

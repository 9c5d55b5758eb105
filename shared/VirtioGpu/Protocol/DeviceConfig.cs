using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// <c>virtio_gpu_config</c>, the device configuration space. Only these 16 bytes are modelled:
/// Linux reads no further and crosvm's config is this size. The spec's <c>blob_alignment</c>
/// would follow at <see cref="BlobAlignmentOffset"/>, valid only with
/// <see cref="VirtioGpuFeatures.BlobAlignment"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DeviceConfig
{
    public const int BlobAlignmentOffset = 16;

    /// <summary>Size including <c>blob_alignment</c>.</summary>
    public const int SizeWithBlobAlignment = 20;

    /// <summary>Read-only for the driver.</summary>
    public DeviceEvents EventsRead;

    /// <summary>Write-one-to-clear for bits of <see cref="EventsRead"/>.</summary>
    public DeviceEvents EventsClear;

    /// <summary>The spec asks for 1..16; Linux takes 0 as "render node only, no KMS".</summary>
    public uint ScanoutCount;

    public uint CapsetCount;
}

[Flags]
public enum DeviceEvents : uint
{
    None = 0,

    /// <summary>The display configuration changed; the driver re-reads GET_DISPLAY_INFO.</summary>
    Display = 1 << 0,
}

/// <summary>Ids of the device's shared memory regions, as the transport announces them.</summary>
public enum SharedMemoryId : byte
{
    Undefined = 0,

    /// <summary>
    /// The window that MAP_BLOB offsets are relative to. Without it the guest cannot map host
    /// blobs, so keymaps and shadow buffers stop working.
    /// </summary>
    HostVisible = 1,
}

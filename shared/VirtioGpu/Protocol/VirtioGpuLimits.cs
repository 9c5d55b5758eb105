namespace CrossDomain.VirtioGpu.Protocol;

public static class VirtioGpuLimits
{
    /// <summary><c>VIRTIO_GPU_MAX_SCANOUTS</c>: fixes the length of the display info response.</summary>
    public const int MaxScanouts = 16;

    /// <summary>Linux drops every capset when one reports an id of 0 or above this.</summary>
    public const uint MaxCapsetId = 63;

    /// <summary>Linux allows 64 fence timelines per context.</summary>
    public const byte MaxRingIndex = 63;

    public const int EdidMaxSize = 1024;

    public const int DebugNameSize = 64;
}

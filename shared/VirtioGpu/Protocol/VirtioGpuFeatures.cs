namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>Feature bits of the virtio-gpu device, plus the transport bits it relies on.</summary>
[Flags]
public enum VirtioGpuFeatures : ulong
{
    None = 0,

    /// <summary>
    /// 3D commands. Offer it even for a cross-domain-only device: Linux refuses every ioctl a
    /// cross-domain guest needs unless this bit was negotiated.
    /// </summary>
    Virgl = 1UL << 0,

    Edid = 1UL << 1,
    ResourceUuid = 1UL << 2,
    ResourceBlob = 1UL << 3,

    /// <summary><c>context_init</c> in CTX_CREATE and per-context fence timelines.</summary>
    ContextInit = 1UL << 4,

    /// <summary>Spec only: <c>blob_alignment</c> in the config space is valid.</summary>
    BlobAlignment = 1UL << 5,

    RingIndirectDescriptors = 1UL << 28,
    RingEventIndex = 1UL << 29,

    /// <summary><c>VIRTIO_F_VERSION_1</c>: Linux will not bind without it.</summary>
    Version1 = 1UL << 32,
}

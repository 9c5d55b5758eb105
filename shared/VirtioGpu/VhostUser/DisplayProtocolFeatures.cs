namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>Protocol features of the display socket.</summary>
[Flags]
public enum DisplayProtocolFeatures : ulong
{
    None = 0,

    /// <summary>The back-end may ask QEMU for EDID blobs (GET_EDID).</summary>
    Edid = 1UL << 0,

    /// <summary>DMABUF_SCANOUT2, which adds the format modifier.</summary>
    Dmabuf2 = 1UL << 1,
}

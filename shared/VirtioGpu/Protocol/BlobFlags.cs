namespace CrossDomain.VirtioGpu.Protocol;

[Flags]
public enum BlobFlags : uint
{
    None = 0,

    /// <summary>The guest CPU will map it through the host-visible shared memory region.</summary>
    UseMappable = 0x1,

    /// <summary>It may be exported, e.g. as a dma-buf.</summary>
    UseShareable = 0x2,

    /// <summary>Shared with other virtio devices; the guest also sends ASSIGN_UUID.</summary>
    UseCrossDevice = 0x4,

    /// <summary>crosvm/minigbm only, not upstream; Linux never sends it.</summary>
    CreateGuestHandle = 0x8,
}

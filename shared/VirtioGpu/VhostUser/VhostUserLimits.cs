namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>Sizes a vhost-user peer may not exceed; every number from the wire is checked against one of these.</summary>
public static class VhostUserLimits
{
    /// <summary>Regions in one SET_MEM_TABLE (QEMU's VHOST_MEMORY_BASELINE_NREGIONS) and fds in one message.</summary>
    public const int MaxMemTableRegions = 8;

    /// <summary>fds one message may carry; QEMU never sends more than one per memory region.</summary>
    public const int MaxFdsPerMessage = 8;

    /// <summary>Largest config space a peer may read or write (QEMU's VHOST_USER_MAX_CONFIG_SIZE).</summary>
    public const int MaxConfigSize = 256;

    /// <summary>Entries of the GET_SHMEM_CONFIG reply: one per u8 shmid.</summary>
    public const int MaxShmemRegions = 256;

    /// <summary>
    /// Payload bound for requests this code does not know: enough for any message of the spec
    /// (the largest, GET_SHMEM_CONFIG's reply, is 2056 bytes) and small enough to read without care.
    /// </summary>
    public const int MaxPayload = 4096;

    /// <summary>Split virtqueues hold at most 2^15 entries (virtio 1.2 §2.7).</summary>
    public const int MaxQueueSize = 32768;

    /// <summary>The ring index field of vring messages is 8 bits wide.</summary>
    public const int MaxQueues = 256;
}

using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>What a back-end session offers and the limits it holds a front-end to.</summary>
public sealed record VhostUserBackendOptions
{
    /// <summary>
    /// MQ (for GET_QUEUE_NUM), REPLY_ACK (QEMU wants it with BACKEND_REQ), BACKEND_REQ and
    /// BACKEND_SEND_FD (SHMEM_MAP carries an fd), CONFIG (num_capsets), CONFIGURE_MEM_SLOTS, SHMEM.
    /// </summary>
    public const ProtocolFeatures DefaultProtocolFeatures =
        ProtocolFeatures.Mq | ProtocolFeatures.ReplyAck | ProtocolFeatures.BackendReq | ProtocolFeatures.Config
        | ProtocolFeatures.BackendSendFd | ProtocolFeatures.ConfigureMemSlots | ProtocolFeatures.Shmem;

    public static VhostUserBackendOptions Default { get; } = new();

    public ProtocolFeatures OfferedProtocolFeatures { get; init; } = DefaultProtocolFeatures;

    /// <summary>Bits SET_FEATURES may carry without GET_FEATURES having offered them (QEMU's own transport bits).</summary>
    public TransportFeatures AcceptedWithoutOffer { get; init; } = TransportFeatures.AckedWithoutOffer;

    /// <summary>Size of the host-visible window (shmid 1) announced in GET_SHMEM_CONFIG; 0 for none.</summary>
    public ulong HostVisibleWindowSize { get; init; } = 1UL << 30;

    /// <summary>Regions the memory table may hold (GET_MAX_MEM_SLOTS); bounds the mappings a front-end can make us hold.</summary>
    public int MaxMemorySlots { get; init; } = 32;

    /// <summary>How long a SHMEM_MAP / SHMEM_UNMAP waits for the front-end's ack before the back-end channel is given up.</summary>
    public int BackendReplyTimeoutMilliseconds { get; init; } = 5000;

    /// <summary>Display protocol features taken when QEMU offers them on the GPU_SET_SOCKET socket.</summary>
    public DisplayProtocolFeatures DisplayProtocolFeatures { get; init; } = DisplayProtocolFeatures.None;

    /// <summary>Messages handled per readiness callback before the loop serves other fds (ring kicks).</summary>
    public int MessagesPerWakeup { get; init; } = 64;
}

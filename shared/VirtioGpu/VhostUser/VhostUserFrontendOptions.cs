namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// How a <see cref="VhostUserFrontend"/> behaves: what it negotiates, and which of QEMU's habits
/// (VHOST-USER.md §9.1, §9.3) it reproduces, so tests can hold a back-end to what a real VMM sends.
/// </summary>
public sealed record VhostUserFrontendOptions
{
    /// <summary>What crosvm and QEMU ask of a GPU back-end, plus the host-visible window.</summary>
    public const ProtocolFeatures DefaultProtocolFeatures =
        ProtocolFeatures.Mq | ProtocolFeatures.ReplyAck | ProtocolFeatures.BackendReq | ProtocolFeatures.Config
        | ProtocolFeatures.BackendSendFd | ProtocolFeatures.Shmem;

    /// <summary>A plain, spec-following front-end (crosvm-like): none of QEMU's habits.</summary>
    public static VhostUserFrontendOptions Plain { get; } = new();

    /// <summary>Every QEMU habit the back-end must cope with.</summary>
    internal static VhostUserFrontendOptions QemuLike { get; } = new()
    {
        AckTransportFeaturesWithoutOffer = true,
        NeedReplyOnMemoryTable = true,
        ReplaceCallFds = true,
        DisplaySocketCount = 1,
    };

    /// <summary>Protocol features asked for; the back-end's offer is intersected with this.</summary>
    public ProtocolFeatures RequestedProtocolFeatures { get; init; } = DefaultProtocolFeatures;

    /// <summary>Negotiate CONFIGURE_MEM_SLOTS and send guest RAM with ADD_MEM_REG instead of SET_MEM_TABLE.</summary>
    public bool UseMemorySlots { get; init; }

    /// <summary>Ack INDIRECT_DESC, EVENT_IDX and RING_RESET whether or not they were offered, as QEMU does.</summary>
    public bool AckTransportFeaturesWithoutOffer { get; init; }

    /// <summary>Set NEED_REPLY on SET_MEM_TABLE / ADD_MEM_REG (QEMU does; SET_VRING_ENABLE always gets it).</summary>
    public bool NeedReplyOnMemoryTable { get; init; }

    /// <summary>
    /// Send call (and err) fds at start-up, again before SET_FEATURES and the final ones only after
    /// the rings are enabled, each time new eventfds, as QEMU's masking does.
    /// </summary>
    public bool ReplaceCallFds { get; init; }

    /// <summary>How many times to hand over a display socket (GPU_SET_SOCKET) on activation; QEMU: once per DRIVER_OK.</summary>
    public int DisplaySocketCount { get; init; }

    /// <summary>Bytes of config space read at start-up (virtio-gpu: 16).</summary>
    public uint ConfigSize { get; init; } = 16;

    /// <summary>Queue count assumed when the back-end does not offer MQ.</summary>
    public int DefaultQueueCount { get; init; } = 2;

    /// <summary>How long to wait for any one reply.</summary>
    public int ReplyTimeoutMilliseconds { get; init; } = 5000;

    /// <summary>The largest host-visible window the front-end agrees to reserve address space for.</summary>
    public ulong MaxWindowSize { get; init; } = 64UL << 30;
}

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>vhost-user protocol feature bits (GET/SET_PROTOCOL_FEATURES).</summary>
[Flags]
public enum ProtocolFeatures : ulong
{
    None = 0,

    /// <summary>Multiple queues; also what makes the front-end ask GET_QUEUE_NUM.</summary>
    Mq = 1UL << 0,

    LogShmfd = 1UL << 1,
    Rarp = 1UL << 2,

    /// <summary>NEED_REPLY is honoured. QEMU requires it together with <see cref="BackendReq"/>.</summary>
    ReplyAck = 1UL << 3,

    NetMtu = 1UL << 4,

    /// <summary>The back-end channel (was SLAVE_REQ).</summary>
    BackendReq = 1UL << 5,

    CrossEndian = 1UL << 6,
    CryptoSession = 1UL << 7,
    Pagefault = 1UL << 8,

    /// <summary>GET_CONFIG/SET_CONFIG: QEMU reads the GPU's config space (num_capsets) this way.</summary>
    Config = 1UL << 9,

    /// <summary>Requests on the back-end channel may carry fds (SHMEM_MAP does).</summary>
    BackendSendFd = 1UL << 10,

    HostNotifier = 1UL << 11,
    InflightShmfd = 1UL << 12,
    ResetDevice = 1UL << 13,
    InbandNotifications = 1UL << 14,

    /// <summary>GET_MAX_MEM_SLOTS, ADD_MEM_REG and REM_MEM_REG instead of whole tables.</summary>
    ConfigureMemSlots = 1UL << 15,

    Status = 1UL << 16,
    XenMmap = 1UL << 17,
    SharedObject = 1UL << 18,
    DeviceState = 1UL << 19,

    /// <summary>
    /// GET_SHMEM_CONFIG, SHMEM_MAP and SHMEM_UNMAP. The bit moved while the spec was in flux:
    /// QEMU's patch series used 20, crosvm moved to 21 (2026-03) and then to 22 (2026-08, "now in
    /// the spec"). 22 is what current crosvm front-ends send; a front-end built from an older
    /// draft will simply not see the bit and fall back to no host-visible window.
    /// </summary>
    Shmem = 1UL << 22,
}

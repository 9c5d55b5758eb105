namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>The flags word of the message header.</summary>
[Flags]
public enum MessageFlags : uint
{
    None = 0,

    /// <summary>Bits 0-1 carry the protocol version, which must be 1 on the main socket and the back-end channel.</summary>
    Version1 = 0x1,

    VersionMask = 0x3,

    /// <summary>Set on every reply.</summary>
    Reply = 0x4,

    /// <summary>
    /// The sender wants an ack (u64 0 = success) even for a request that has no reply body.
    /// Meaningful only once REPLY_ACK is negotiated.
    /// </summary>
    NeedReply = 0x8,
}

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Why a channel stopped: what the peer sent that breaks the protocol, or what the socket did.
/// Reading never throws on peer input; each of these ends the channel instead, because a byte
/// stream cannot be trusted to be back in step after a bad header.
/// </summary>
public enum ChannelError
{
    None,

    /// <summary>The peer closed the socket between messages.</summary>
    PeerClosed,

    /// <summary>The peer closed the socket in the middle of a message.</summary>
    TruncatedMessage,

    /// <summary>The version bits of the flags are not 1.</summary>
    BadVersion,

    /// <summary>A request where a reply was expected, or the other way round.</summary>
    UnexpectedDirection,

    /// <summary>An id this socket does not carry.</summary>
    UnknownRequest,

    /// <summary>The size field is outside what the request allows.</summary>
    BadPayloadSize,

    /// <summary>More fds than the request allows.</summary>
    TooManyFds,

    /// <summary>Fewer fds than the request needs.</summary>
    MissingFds,

    /// <summary>More fds than one recvmsg can take (the kernel truncated the control data).</summary>
    FdOverflow,

    /// <summary>recvmsg or sendmsg failed; see the errno.</summary>
    SocketFailed,

    /// <summary>The peer stopped reading and queued output passed its bound.</summary>
    OutputOverflow,

    /// <summary>A reply did not come within the time allowed.</summary>
    TimedOut,

    /// <summary>A reply carried another request's id.</summary>
    MismatchedReply,

    /// <summary>The channel was disposed.</summary>
    Disposed,
}

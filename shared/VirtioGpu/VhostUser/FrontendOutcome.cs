namespace CrossDomain.VirtioGpu.VhostUser;

public enum FrontendError
{
    None,

    /// <summary>The main socket broke; see <see cref="FrontendOutcome.ChannelError"/>.</summary>
    ChannelBroken,

    /// <summary>No reply within the timeout.</summary>
    TimedOut,

    /// <summary>The back-end acked the request with a failure (non-zero u64), or answered GET_CONFIG with nothing.</summary>
    Refused,

    /// <summary>A reply whose content makes no sense (e.g. 0 queues, a window that is not whole pages).</summary>
    BadReply,

    /// <summary>The back-end lacks what the request needs (e.g. GET_SHMEM_CONFIG without SHMEM).</summary>
    NotNegotiated,

    /// <summary>The call does not fit the state (e.g. activating before initializing).</summary>
    WrongState,
}

/// <summary>The result of one front-end step: which request failed and why, with no exception for what the back-end did.</summary>
public readonly record struct FrontendOutcome(FrontendError Error, FrontendRequest Request = FrontendRequest.None,
    ChannelError ChannelError = ChannelError.None)
{
    public static FrontendOutcome Success { get; } = new(FrontendError.None);

    public bool IsSuccess => Error == FrontendError.None;

    public override string ToString() => IsSuccess ? "success" : $"{Request}: {Error}" +
        (ChannelError == ChannelError.None ? "" : $" ({ChannelError})");
}

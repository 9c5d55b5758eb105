namespace CrossDomain.Host.Device;

/// <summary>One fence timeline (context, ring index): the replies waiting on it, in arrival order.</summary>
internal sealed class RingTimeline
{
    /// <summary>
    /// The highest fence id the context has signalled on this ring. A fence at or below it is
    /// already complete, so its reply is sent at once rather than held.
    /// </summary>
    public ulong LastSignaled { get; set; }

    public List<HeldReply> Held { get; } = [];
}

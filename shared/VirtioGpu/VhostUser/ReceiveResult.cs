namespace CrossDomain.VirtioGpu.VhostUser;

public enum ReceiveStatus
{
    /// <summary>A whole, validated message is there.</summary>
    Message,

    /// <summary>Not a whole message yet; wait for readiness and call again.</summary>
    WouldBlock,

    /// <summary>Only from the waiting helpers: nothing came in time. The channel is still usable.</summary>
    TimedOut,

    /// <summary>The peer closed the socket cleanly between messages.</summary>
    Closed,

    /// <summary>The channel is broken for good; see <see cref="ReceiveResult.Error"/>.</summary>
    Faulted,
}

/// <summary>The outcome of one receive, without exceptions on peer input.</summary>
public readonly record struct ReceiveResult(ReceiveStatus Status, ChannelError Error = ChannelError.None, int Errno = 0)
{
    public static ReceiveResult WouldBlock { get; } = new(ReceiveStatus.WouldBlock);

    public static ReceiveResult Received { get; } = new(ReceiveStatus.Message);

    public static ReceiveResult TimedOut { get; } = new(ReceiveStatus.TimedOut, ChannelError.TimedOut);

    public bool IsMessage => Status == ReceiveStatus.Message;

    /// <summary>The channel can carry no more messages.</summary>
    public bool IsFinal => Status is ReceiveStatus.Closed or ReceiveStatus.Faulted;
}

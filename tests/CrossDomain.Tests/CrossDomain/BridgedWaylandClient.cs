using CrossDomain.Tests.Support.Wayland;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A <see cref="WaylandTestClient{TSentFd, TReceivedFd}"/> that reaches a real compositor only
/// through one cross-domain context, as a guest proxy does.
/// </summary>
internal sealed class BridgedWaylandClient : WaylandTestClient<(uint Id, IdentifierType Type), ReceivedIdentifier>
{
    private readonly ChannelTransport _channel;

    public BridgedWaylandClient(ICrossDomainGuest guest) : this(new ChannelTransport(guest))
    {
    }

    private BridgedWaylandClient(ChannelTransport channel) : base(channel)
    {
        _channel = channel;
        PeerName = "the compositor";
    }

    /// <summary>Bytes of each RECEIVE that carried events, in order: how the stream was cut.</summary>
    public List<int> ReceiveSizes => _channel.ReceiveSizes;
}

/// <summary>
/// A cross-domain context as the Wayland channel: requests go out in SEND commands with
/// identifiers for their fds, events come back in RECEIVE messages. A RECEIVE is a slice of the
/// stream (at most 3744 bytes, cut anywhere) with the identifiers of the fds it holds.
/// </summary>
internal sealed class ChannelTransport(ICrossDomainGuest guest) : IWaylandTestTransport<(uint Id, IdentifierType Type), ReceivedIdentifier>
{
    public List<int> ReceiveSizes { get; } = [];

    public void Send(ReadOnlySpan<byte> requests, ReadOnlySpan<(uint Id, IdentifierType Type)> identifiers) =>
        guest.Send(requests, identifiers.ToArray());

    /// <summary>The guest's poll waits with a patience of its own, so <paramref name="patience"/> goes unused: a message always comes.</summary>
    public bool TryReceive(TimeSpan patience, out ReadOnlySpan<byte> bytes, Queue<ReceivedIdentifier> identifiers)
    {
        var message = guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, message.Command);
        bytes = message.Data;
        // An empty RECEIVE is the host's hang-up: the compositor closed the connection.
        if (message.Data.Length == 0 && message.Identifiers.Length == 0) return false;
        ReceiveSizes.Add(message.Data.Length);
        foreach (var identifier in message.Identifiers) identifiers.Enqueue(identifier);
        return true;
    }

    /// <summary>The context belongs to the test, which may go on using it.</summary>
    public void Dispose()
    {
    }
}

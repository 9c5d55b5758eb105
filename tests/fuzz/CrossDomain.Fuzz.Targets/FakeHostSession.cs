using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// The guest proxy's relay for one client, in-process, over a <see cref="FakeHostDriver"/>: a real
/// <see cref="ClientSession"/> and <see cref="CrossDomainChannel"/> on a real event loop, the
/// client's end of a socketpair for the caller. Requests come in through the socket and events
/// through the channel ring, as they do in the proxy.
/// </summary>
public sealed class FakeHostSession : IDisposable
{
    private readonly UnixSocket _proxyEnd;
    private readonly RelayMetrics _metrics = new();
    private readonly ClientSession _session;

    public FakeHostSession(FakeHostDriver host)
    {
        Host = host;
        (Client, _proxyEnd) = UnixSocket.CreatePair();
        _session = new ClientSession(1, _proxyEnd, CrossDomainChannel.Open(host), Loop, new GlobalPolicy(), _metrics, tracer: null,
            NullLogger.Instance, _ => IsClosed = true);
    }

    public FakeHostDriver Host { get; }

    public EventLoop Loop { get; } = new();

    public UnixSocket Client { get; }

    /// <summary>Requests the session has sent on to the host.</summary>
    public long MessagesToHost => _session.MessagesToHost;

    public bool IsClosed { get; private set; }

    /// <summary>Runs the loop until nothing is ready.</summary>
    public void RunUntilIdle()
    {
        while (Loop.RunOnce(0) > 0) { }
    }

    /// <summary>The channel-ring image of a RECEIVE that carries <paramref name="events"/> and no identifiers.</summary>
    public static byte[] Receive(ReadOnlySpan<byte> events)
    {
        var receive = new CrossDomainSendReceive
        {
            Header = CrossDomainCommands.Header(CrossDomainCommand.Receive, CrossDomainSendReceive.Size + events.Length),
            OpaqueDataSize = (uint)events.Length,
        };
        return CrossDomainCommands.Encode(receive, events);
    }

    public void Dispose()
    {
        // The session owns the channel, and the channel the fake host.
        _session.Dispose();
        Client.Dispose();
        _proxyEnd.Dispose();
        Loop.Dispose();
        _metrics.Dispose();
    }
}

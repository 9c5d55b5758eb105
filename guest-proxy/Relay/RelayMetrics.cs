using System.Diagnostics.Metrics;
using CrossDomain.GuestProxy.Relay.Shm;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// The proxy's counters as System.Diagnostics metrics (meter <see cref="MeterName"/>, readable
/// with <c>dotnet-counters monitor --counters CrossDomain.GuestProxy</c>), tagged per client.
/// </summary>
public sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "CrossDomain.GuestProxy";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _fds;
    private readonly Counter<long> _bytesDamaged;
    private readonly Counter<long> _bytesCopied;
    private readonly Counter<long> _bytesTransferred;
    private readonly Counter<long> _eventBytesReceived;
    private readonly Counter<long> _eventBytesCopied;
    private readonly UpDownCounter<int> _clients;

    public RelayMetrics()
    {
        Meter = new Meter(MeterName);
        _messages = Meter.CreateCounter<long>("crossdomain.proxy.messages", "{message}", "Wayland messages relayed");
        _bytes = Meter.CreateCounter<long>("crossdomain.proxy.bytes", "By", "Wayland message bytes relayed");
        _fds = Meter.CreateCounter<long>("crossdomain.proxy.fds", "{fd}", "fds translated to or from cross-domain identifiers");
        _bytesDamaged = Meter.CreateCounter<long>("crossdomain.proxy.shm.bytes_damaged", "By", "shm bytes that clients' commits damaged");
        _bytesCopied = Meter.CreateCounter<long>("crossdomain.proxy.shm.bytes_copied", "By", "shm pixels copied from client buffers into host shadows");
        _bytesTransferred = Meter.CreateCounter<long>("crossdomain.proxy.shm.bytes_transferred", "By",
            "of those, pixels in guest copies of shadows, which the host then copies again (devices without host-visible memory)");
        _eventBytesReceived = Meter.CreateCounter<long>("crossdomain.proxy.events.bytes_received", "By", "compositor bytes received in RECEIVEs");
        _eventBytesCopied = Meter.CreateCounter<long>("crossdomain.proxy.events.bytes_copied", "By",
            "copies of compositor bytes in the proxy on their way to the client: each byte once per copy");
        _clients = Meter.CreateUpDownCounter<int>("crossdomain.proxy.clients", "{client}", "connected Wayland clients");
    }

    /// <summary>This proxy's meter: tests listen to it alone, other proxies in the process have their own.</summary>
    public Meter Meter { get; }

    /// <summary>One client's tags, made once: a tag's boxed value would otherwise cost an allocation per message.</summary>
    internal sealed class ClientTags(int client)
    {
        public KeyValuePair<string, object?> Client { get; } = new("client", client);

        public KeyValuePair<string, object?> ToHost { get; } = new("direction", "to_host");

        public KeyValuePair<string, object?> ToClient { get; } = new("direction", "to_client");
    }

    internal void Message(ClientTags tags, bool toHost, int bytes, int fds)
    {
        if (!_messages.Enabled && !_bytes.Enabled && !_fds.Enabled) return;
        var direction = toHost ? tags.ToHost : tags.ToClient;
        _messages.Add(1, tags.Client, direction);
        _bytes.Add(bytes, tags.Client, direction);
        if (fds > 0) _fds.Add(fds, tags.Client, direction);
    }

    internal void ShmCommitted(ClientTags tags, ShmCommitCopy commit)
    {
        _bytesDamaged.Add(commit.Damaged, tags.Client);
        _bytesCopied.Add(commit.Copied, tags.Client);
        if (commit.Transferred > 0) _bytesTransferred.Add(commit.Transferred, tags.Client);
    }

    internal void EventBytesReceived(ClientTags tags, int bytes) => _eventBytesReceived.Add(bytes, tags.Client);

    internal void EventBytesCopied(ClientTags tags, long bytes) => _eventBytesCopied.Add(bytes, tags.Client);

    internal void ClientConnected() => _clients.Add(1);

    internal void ClientDisconnected() => _clients.Add(-1);

    public void Dispose() => Meter.Dispose();
}

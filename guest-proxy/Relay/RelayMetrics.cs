using System.Diagnostics.Metrics;

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
    private readonly Counter<long> _bytesCopied;
    private readonly UpDownCounter<int> _clients;

    public RelayMetrics()
    {
        Meter = new Meter(MeterName);
        _messages = Meter.CreateCounter<long>("crossdomain.proxy.messages", "{message}", "Wayland messages relayed");
        _bytes = Meter.CreateCounter<long>("crossdomain.proxy.bytes", "By", "Wayland message bytes relayed");
        _fds = Meter.CreateCounter<long>("crossdomain.proxy.fds", "{fd}", "fds translated to or from cross-domain identifiers");
        _bytesCopied = Meter.CreateCounter<long>("crossdomain.proxy.shm.bytes_copied", "By", "shm pixels copied from client buffers into host shadows");
        _clients = Meter.CreateUpDownCounter<int>("crossdomain.proxy.clients", "{client}", "connected Wayland clients");
    }

    /// <summary>This proxy's meter: tests listen to it alone, other proxies in the process have their own.</summary>
    public Meter Meter { get; }

    internal void Message(int client, bool toHost, int bytes, int fds)
    {
        var clientTag = new KeyValuePair<string, object?>("client", client);
        var direction = new KeyValuePair<string, object?>("direction", toHost ? "to_host" : "to_client");
        _messages.Add(1, clientTag, direction);
        _bytes.Add(bytes, clientTag, direction);
        if (fds > 0) _fds.Add(fds, clientTag, direction);
    }

    internal void Copied(int client, long bytes) => _bytesCopied.Add(bytes, new KeyValuePair<string, object?>("client", client));

    internal void ClientConnected() => _clients.Add(1);

    internal void ClientDisconnected() => _clients.Add(-1);

    public void Dispose() => Meter.Dispose();
}

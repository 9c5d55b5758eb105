using System.Diagnostics.Metrics;

namespace CrossDomain.Tests.Support;

/// <summary>Sums one proxy's <c>crossdomain.proxy.shm.bytes_copied</c> measurements, as dotnet-counters would see them.</summary>
public sealed class CopiedBytesListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _perClient = new();
    private long _total;

    public CopiedBytesListener(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == "crossdomain.proxy.shm.bytes_copied") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            Interlocked.Add(ref _total, value);
            foreach (var tag in tags)
                if (tag.Key == "client" && tag.Value is int client) _perClient.AddOrUpdate(client, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Bytes copied so far for each client number (the proxy's "client" tag).</summary>
    public IReadOnlyDictionary<int, long> PerClient => new Dictionary<int, long>(_perClient);

    public void Dispose() => _listener.Dispose();
}

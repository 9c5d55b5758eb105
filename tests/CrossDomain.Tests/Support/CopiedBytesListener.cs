using System.Diagnostics.Metrics;

namespace CrossDomain.Tests.Support;

/// <summary>Sums one proxy's shm byte counter (<see cref="Copied"/> unless told), as dotnet-counters would see it.</summary>
public sealed class CopiedBytesListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _perClient = new();
    private long _total;

    public const string Copied = "crossdomain.proxy.shm.bytes_copied";
    public const string Transferred = "crossdomain.proxy.shm.bytes_transferred";

    public CopiedBytesListener(Meter meter, string instrumentName = Copied)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == instrumentName) listener.EnableMeasurementEvents(instrument);
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

using System.Diagnostics.Metrics;

namespace CrossDomain.Tests.Support;

/// <summary>Sums one proxy's <c>crossdomain.proxy.shm.bytes_copied</c> measurements, as dotnet-counters would see them.</summary>
public sealed class CopiedBytesListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CopiedBytesListener(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == "crossdomain.proxy.shm.bytes_copied") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}

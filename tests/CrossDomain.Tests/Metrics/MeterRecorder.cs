using System.Diagnostics.Metrics;

namespace CrossDomain.Tests.Metrics;

/// <summary>
/// Every measurement of one meter's instruments, as a dotnet-counters session would receive them:
/// the test reads them back by instrument name and tags. Measurements arrive on the device's loop
/// thread, so reads take a snapshot under the lock.
/// </summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<RecordedMeasurement> _measurements = [];

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The values recorded by <paramref name="instrument"/> whose tags include every one of <paramref name="tags"/>.</summary>
    public double[] Values(string instrument, params (string Key, object Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements
                .Where(m => m.Instrument == instrument && tags.All(tag => m.Tags.TryGetValue(tag.Key, out var value) && Equals(value, tag.Value)))
                .Select(m => m.Value)
                .ToArray();
        }
    }

    public double Sum(string instrument, params (string Key, object Value)[] tags) => Values(instrument, tags).Sum();

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        lock (_measurements) _measurements.Add(new RecordedMeasurement(instrument.Name, value, copy));
    }

    private sealed record RecordedMeasurement(string Instrument, double Value, Dictionary<string, object?> Tags);
}

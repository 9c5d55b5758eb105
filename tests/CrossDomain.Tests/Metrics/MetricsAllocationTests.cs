using System.Diagnostics.Metrics;
using CrossDomain.Host.Device;
using CrossDomain.Host.Metrics;
using CrossDomain.Tests.Device;
using Microsoft.Extensions.Logging;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Metrics;

/// <summary>
/// Metrics keep the per-command path allocation-free (see <see cref="HotPathAllocationTests"/>):
/// unobserved, and observed by a listener that itself allocates nothing.
/// </summary>
public sealed class MetricsAllocationTests : IDisposable
{
    private readonly HostMetrics _metrics = new();
    private readonly DeviceHarness _harness;
    private readonly FakeTimelineContext _context;
    private readonly ReusableReply _reply = new();
    private readonly byte[][] _fencedSubmits;
    private readonly byte[] _failingCommand = Unref(12345);
    private int _nextSubmit;

    public MetricsAllocationTests()
    {
        _harness = new DeviceHarness(metrics: _metrics.ForDevice(1));
        // As in production: per-command failures are logged at Debug, which is off.
        _harness.Logger.MinimumLevel = LogLevel.Information;
        _context = _harness.CreateContext(1);
        _context.RecordsCalls = false;
        _fencedSubmits = Enumerable.Range(1, 2 * HotPathAllocationTests.Rounds).Select(fence => Fenced(Submit(1, new byte[64]), (ulong)fence, 0)).ToArray();
    }

    public void Dispose()
    {
        _harness.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void Unobserved_metrics_allocate_nothing_per_command()
    {
        Assert.Equal(0, HotPathAllocationTests.AllocatedBytes(OneRound));
    }

    [Fact]
    public void Observed_metrics_allocate_nothing_per_command()
    {
        long measurements = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == _metrics.Meter) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => measurements++);
        listener.SetMeasurementEventCallback<int>((_, _, _, _) => measurements++);
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => measurements++);
        listener.Start();

        Assert.Equal(0, HotPathAllocationTests.AllocatedBytes(OneRound));
        Assert.True(measurements > 0);
    }

    /// <summary>A fenced submit held then signalled, and a command that fails: every instrument on the command path.</summary>
    private void OneRound()
    {
        _harness.Device.HandleControl(_fencedSubmits[_nextSubmit++], _reply);
        _context.Signal(0, (ulong)_nextSubmit);
        _harness.Device.HandleControl(_failingCommand, _reply);
    }
}

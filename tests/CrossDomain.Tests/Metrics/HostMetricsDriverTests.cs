using CrossDomain.Host.Device;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Metrics;

/// <summary>
/// The host service's meter as dotnet-counters sees it, with our userspace driver as the guest:
/// commands, errors, fences and their latency, devices and contexts, tagged by device.
/// </summary>
public sealed class HostMetricsDriverTests : IDisposable
{
    private const int FirstDevice = 1;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimelineContextType _contextType = new(CapsetId.Drm, capsetMaxSize: 32);
    private readonly InProcessHostService _host;
    private readonly MeterRecorder _recorder;

    public HostMetricsDriverTests()
    {
        _host = new InProcessHostService(_contextType);
        _recorder = new MeterRecorder(_host.Metrics.Meter);
    }

    public void Dispose()
    {
        _host.Dispose();
        _recorder.Dispose();
    }

    [Fact]
    public void Each_fenced_submit_records_its_fence_and_how_long_the_reply_waited()
    {
        const int Submits = 5;
        var holdFences = TimeSpan.FromMilliseconds(30);
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, ringCount: 2, pollRingMask: 1 << 1);
        var context = _contextType.Created[0];

        // A poll ring fences every submission; the fake context holds the fences until told.
        for (int i = 0; i < Submits; i++) gpu.Submit([(byte)i, 0, 0, 0], ringIndex: 1, []);
        WaitFor(() => context.FencesCreated.Count == Submits);
        Thread.Sleep(holdFences);
        context.Signal(1, context.FencesCreated[^1].FenceId);
        WaitFor(() => _recorder.Values("crossdomain.host.fence.latency").Length == Submits);

        var latencies = _recorder.Values("crossdomain.host.fence.latency", ("device", FirstDevice));
        Assert.Equal(Submits, latencies.Length);
        Assert.All(latencies, latency => Assert.True(latency >= holdFences.TotalMilliseconds, $"{latency} ms"));
        Assert.Equal(Submits, _recorder.Sum("crossdomain.host.fences", ("device", FirstDevice)));
        Assert.True(_recorder.Sum("crossdomain.host.commands", ("device", FirstDevice), ("result", "ok")) >= Submits);
        Assert.Empty(_recorder.Values("crossdomain.host.commands", ("result", "error")));
        Assert.True(_recorder.Sum("crossdomain.host.command.bytes", ("device", FirstDevice)) > 0);
    }

    [Fact]
    public void A_refused_command_counts_as_an_error_under_its_response_type()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        _contextType.Created[0].BlobError = GpuError.InvalidParameter;
        Assert.Throws<VirtioGpuDriverException>(() => gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 4096, 7));

        Assert.Equal(1, _recorder.Sum("crossdomain.host.commands", ("device", FirstDevice), ("result", "error")));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.command.errors", ("device", FirstDevice), ("response", "err_invalid_parameter")));
        Assert.Single(_recorder.Values("crossdomain.host.command.errors"));
    }

    [Fact]
    public void Devices_and_contexts_are_counted_while_they_live()
    {
        var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        Assert.Equal(1, _recorder.Sum("crossdomain.host.devices"));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.contexts", ("device", FirstDevice)));

        // The VM going away ends its session: the device and its context go with it.
        gpu.Dispose();
        WaitFor(() => _recorder.Sum("crossdomain.host.devices") == 0);
        Assert.Equal(0, _recorder.Sum("crossdomain.host.contexts", ("device", FirstDevice)));
    }

    [Fact]
    public void Each_connection_is_a_device_of_its_own()
    {
        using var first = LocalVirtioGpu.Connect(_host.SocketPath);
        using var second = LocalVirtioGpu.Connect(_host.SocketPath);
        first.InitContext((uint)CapsetId.Drm, 2, 0);
        second.InitContext((uint)CapsetId.Drm, 2, 0);

        Assert.Equal(2, _recorder.Sum("crossdomain.host.devices"));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.contexts", ("device", FirstDevice)));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.contexts", ("device", FirstDevice + 1)));
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(1);
        }
    }
}

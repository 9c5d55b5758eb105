using CrossDomain.Host.Metrics;
using CrossDomain.Tests.CrossDomain;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.Metrics;

/// <summary>Wayland traffic through a real cross-domain context, counted each way in bytes and fds.</summary>
public sealed class CrossDomainMetricsTests : IDisposable
{
    private const int DeviceNumber = 3;
    private const uint Argb8888 = 0x34325241;

    private readonly HostMetrics _metrics = new();
    private readonly MeterRecorder _recorder;
    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public CrossDomainMetricsTests()
    {
        _recorder = new MeterRecorder(_metrics.Meter);
        _device = new CrossDomainDevice(_compositor.SocketPath, metrics: _metrics.ForDevice(DeviceNumber));
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
        _recorder.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void Sends_count_their_bytes_and_fds_toward_the_compositor()
    {
        _guest.SubmitOk(CrossDomainCommands.Send("wl_display.sync"u8));
        var requirements = _guest.GetImageRequirements(16, 16, Argb8888);
        uint blob = _guest.CreateHostBlob(requirements.BlobId, requirements.Size);
        _guest.SubmitOk(CrossDomainCommands.Send(new byte[24], (blob, IdentifierType.VirtgpuBlob)));

        Assert.Equal(15 + 24, _recorder.Sum("crossdomain.host.cross_domain.bytes", ("device", DeviceNumber), ("direction", "to_compositor")));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.cross_domain.fds", ("device", DeviceNumber), ("direction", "to_compositor")));
        Assert.Empty(_recorder.Values("crossdomain.host.cross_domain.bytes", ("direction", "from_compositor")));
    }

    [Fact]
    public void Receives_count_their_bytes_and_fds_from_the_compositor()
    {
        using (var memfd = TestFds.MemfdWith("contents"u8)) _compositor.SendToGuest("events"u8, memfd);
        var message = _guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, message.Command);

        Assert.Equal(6, _recorder.Sum("crossdomain.host.cross_domain.bytes", ("device", DeviceNumber), ("direction", "from_compositor")));
        Assert.Equal(1, _recorder.Sum("crossdomain.host.cross_domain.fds", ("device", DeviceNumber), ("direction", "from_compositor")));
    }

    [Fact]
    public void The_context_is_counted_until_ctx_destroy()
    {
        Assert.Equal(1, _recorder.Sum("crossdomain.host.contexts", ("device", DeviceNumber)));
        _device.Harness.SendOk(GpuRequests.DestroyContext(_guest.ContextId));
        Assert.Equal(0, _recorder.Sum("crossdomain.host.contexts", ("device", DeviceNumber)));
    }
}

using CrossDomain.Host.Device;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>CMD_INIT in every form guests send, and every way it can be wrong (PROTOCOL.md B.4, B.5).</summary>
public sealed class InitTests : IDisposable
{
    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;

    public InitTests() => _device = new CrossDomainDevice(_compositor.SocketPath);

    [Theory]
    [InlineData(CrossDomainInit.V1Size)]
    [InlineData(CrossDomainInit.LibkrunSize)]
    [InlineData(CrossDomainInit.InternalSocketSize)]
    public void Every_two_ring_form_opens_one_compositor_connection(int size)
    {
        var guest = _device.CreateGuest(1).CreateRings();
        guest.SubmitOk(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland, size));
        _compositor.AcceptConnection();
        Assert.False(_compositor.HasPendingConnection());
    }

    [Fact]
    public void The_legacy_form_uses_its_one_ring_for_queries_and_channel_events()
    {
        var guest = _device.CreateGuest(1);
        uint ring = guest.CreateGuestBlob(out ulong ringAddress);
        guest.SubmitOk(CrossDomainCommands.InitLegacy(ring, ChannelType.Wayland));
        _compositor.AcceptConnection();

        var poll = guest.Poll();
        _compositor.SendToGuest("hello"u8);
        _device.Harness.RunLoopUntil(() => poll.IsCompleted, "the RECEIVE");
        var message = ChannelMessage.Parse(_device.Harness.Memory.At(ringAddress, (int)DeviceHarness.PageSize));
        Assert.Equal("hello"u8.ToArray(), message.Data);
    }

    [Fact]
    public void A_context_without_a_channel_connects_nowhere_but_answers_queries()
    {
        var guest = _device.CreateGuest(1).CreateRings().Init(ChannelType.None);
        Assert.False(_compositor.HasPendingConnection());
        Assert.NotEqual(0u, guest.GetImageRequirements(64, 64, 0x34325241).BlobId);
    }

    [Fact]
    public void A_second_init_is_an_error_and_opens_nothing()
    {
        var guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland), GpuError.InvalidParameter);
        Assert.False(_compositor.HasPendingConnection());
    }

    [Theory]
    [InlineData(ChannelType.Camera)]
    [InlineData(ChannelType.PipeWire)]
    [InlineData(ChannelType.X11)]
    [InlineData(ChannelType.InternalSocket)]
    [InlineData((ChannelType)0x1234)]
    public void A_channel_type_this_host_does_not_offer_is_an_error(ChannelType channel)
    {
        var guest = _device.CreateGuest(1).CreateRings();
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, channel, CrossDomainInit.InternalSocketSize),
            GpuError.InvalidParameter);
        // Still uninitialized: a correct INIT works.
        guest.Init();
    }

    [Fact]
    public void An_unreachable_compositor_is_an_error_and_the_device_goes_on()
    {
        using var device = new CrossDomainDevice("/nonexistent/crossdomain/wayland-0");
        var guest = device.CreateGuest(1).CreateRings();
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland), GpuError.Unspecified);
        Assert.Contains(device.Harness.Logger.Entries, entry => entry.Message.Contains("cannot reach the compositor"));

        var other = device.CreateGuest(2).CreateRings().Init(ChannelType.None);
        Assert.NotEqual(0u, other.GetImageRequirements(16, 16, 0x34325241).Size);
    }

    [Fact]
    public void A_guest_retrying_init_against_an_unreachable_compositor_gets_only_a_few_warnings_logged()
    {
        var clock = new ManualClock();
        using var device = new CrossDomainDevice("/nonexistent/crossdomain/wayland-0", time: clock);
        var guest = device.CreateGuest(1).CreateRings();
        for (int i = 0; i < 50; i++)
            guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland), GpuError.Unspecified);
        Assert.Equal(LogRateLimiter.LinesPerWindow, device.Harness.Logger.Entries.Count(entry => entry.Message.Contains("cannot reach the compositor")));

        clock.Advance(LogRateLimiter.Window);
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland), GpuError.Unspecified);
        Assert.Contains(device.Harness.Logger.Entries, entry => entry.Message.StartsWith($"Left out {50 - LogRateLimiter.LinesPerWindow} lines", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Wayland_channel_on_a_host_without_a_compositor_is_an_error()
    {
        using var device = new CrossDomainDevice(compositorSocketPath: null);
        var guest = device.CreateGuest(1).CreateRings();
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland), GpuError.InvalidParameter);
    }

    [Fact]
    public void Rings_must_be_attached_to_the_context()
    {
        var guest = _device.CreateGuest(1);
        uint query = guest.CreateGuestBlob(out _, attach: false);
        uint channel = guest.CreateGuestBlob(out _);
        guest.SubmitFails(CrossDomainCommands.Init(query, channel, ChannelType.Wayland), GpuError.InvalidResourceId);
        guest.SubmitFails(CrossDomainCommands.Init(channel, query, ChannelType.Wayland), GpuError.InvalidResourceId);
        guest.SubmitFails(CrossDomainCommands.Init(channel, 999, ChannelType.Wayland), GpuError.InvalidResourceId);
    }

    [Fact]
    public void A_ring_attached_to_another_context_is_not_this_contexts_ring()
    {
        var owner = _device.CreateGuest(1).CreateRings();
        var other = _device.CreateGuest(2);
        other.SubmitFails(CrossDomainCommands.Init(owner.QueryRingId, owner.ChannelRingId, ChannelType.Wayland), GpuError.InvalidResourceId);
    }

    [Fact]
    public void Rings_must_be_guest_blobs()
    {
        var guest = _device.CreateGuest(1).CreateRings();
        uint image = _device.NextResourceId();
        _device.Harness.Create2DWithBacking(image, 32, 32, _device.AllocateGuestPages(1));
        _device.Harness.SendOk(GpuRequests.AttachResource(guest.ContextId, image));
        guest.SubmitFails(CrossDomainCommands.Init(image, guest.ChannelRingId, ChannelType.Wayland), GpuError.InvalidParameter);
        guest.SubmitFails(CrossDomainCommands.Init(guest.QueryRingId, image, ChannelType.Wayland), GpuError.InvalidParameter);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(18)]
    [InlineData(28)]
    [InlineData(40)]
    public void An_init_of_no_known_size_is_malformed(int size)
    {
        var guest = _device.CreateGuest(1).CreateRings();
        var command = new byte[size];
        CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland, CrossDomainInit.InternalSocketSize)
            .AsSpan(0, Math.Min(size, CrossDomainInit.InternalSocketSize)).CopyTo(command);
        command[2] = (byte)size;
        guest.SubmitFails(command, GpuError.Unspecified);
        Assert.False(_compositor.HasPendingConnection());
    }

    [Fact]
    public void Init_and_poll_may_share_one_submission()
    {
        var guest = _device.CreateGuest(1).CreateRings();
        guest.SubmitOk(CrossDomainCommands.Concatenate(
            CrossDomainCommands.Init(guest.QueryRingId, guest.ChannelRingId, ChannelType.Wayland),
            CrossDomainCommands.Poll()));
        _compositor.AcceptConnection();
    }

    [Fact]
    public void Queries_before_init_are_errors()
    {
        var guest = _device.CreateGuest(1).CreateRings();
        guest.SubmitFails(CrossDomainCommands.GetImageRequirements(64, 64, 0x34325241), GpuError.InvalidParameter);
        guest.SubmitFails(CrossDomainCommands.Send("x"u8), GpuError.InvalidParameter);
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }
}

using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>POLL and RECEIVE against a stand-in compositor: one message per fence, splitting, EOF, back-pressure (PROTOCOL.md B.5).</summary>
public sealed class ChannelTests : IDisposable
{
    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public ChannelTests()
    {
        _device = new CrossDomainDevice(_compositor.SocketPath);
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    [Fact]
    public void Compositor_bytes_arrive_as_one_receive()
    {
        _compositor.SendToGuest("wayland events"u8);
        var message = _guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, message.Command);
        Assert.Equal("wayland events"u8.ToArray(), message.Data);
        Assert.Empty(message.Identifiers);
    }

    [Fact]
    public void Exactly_one_message_is_written_per_poll_fence()
    {
        var stream = RandomBytes(5000);
        _compositor.SendToGuest(stream);
        var first = _guest.PollForMessage();
        Assert.Equal(CrossDomainLimits.MaxSendReceivePayload, first.Data.Length);

        // The guest has not polled again: the loop turns, data is waiting, and the ring stays as it is.
        var ring = _device.Harness.Memory.At(_guest.ChannelRingAddress, (int)DeviceHarness.PageSize);
        ring.Fill(0xEE);
        for (int i = 0; i < 10; i++) _device.Harness.Loop.RunOnce(10);
        Assert.Equal(0xEE, ring[0]);

        var second = _guest.PollForMessage();
        Assert.Equal(stream.AsSpan(first.Data.Length).ToArray(), second.Data);
    }

    [Fact]
    public void A_stream_larger_than_a_ring_arrives_in_pieces_of_at_most_3744_bytes()
    {
        var stream = RandomBytes(10_000);
        _compositor.SendToGuest(stream);
        var received = new List<byte>();
        var sizes = new List<int>();
        while (received.Count < stream.Length)
        {
            var message = _guest.PollForMessage();
            Assert.InRange(message.Data.Length, 1, CrossDomainLimits.MaxSendReceivePayload);
            sizes.Add(message.Data.Length);
            received.AddRange(message.Data);
        }
        Assert.Equal(stream, received.ToArray());
        Assert.Equal([3744, 3744, 2512], sizes);
    }

    [Fact]
    public void Compositor_end_of_stream_is_a_receive_of_nothing()
    {
        _compositor.SendToGuest("last words"u8);
        _compositor.CloseConnection();
        Assert.Equal("last words"u8.ToArray(), _guest.PollForMessage().Data);

        var end = _guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, end.Command);
        Assert.Empty(end.Data);
        Assert.Empty(end.Identifiers);

        // Nothing more will come: the next poll waits, and sending is an error.
        var next = _guest.Poll();
        for (int i = 0; i < 5; i++) _device.Harness.Loop.RunOnce(10);
        Assert.False(next.IsCompleted);
        _guest.SubmitFails(CrossDomainCommands.Send("too late"u8), GpuError.Unspecified);
    }

    [Fact]
    public void Without_a_poll_fence_nothing_is_read_and_the_compositor_meets_back_pressure()
    {
        var chunk = new byte[4096];
        long sent = 0;
        while (true)
        {
            _device.Harness.Loop.RunOnce(0);
            var result = _compositor.Connection.Send(chunk);
            if (result.Status == IoStatus.WouldBlock) break;
            Assert.Equal(IoStatus.Done, result.Status);
            sent += result.Bytes;
            Assert.True(sent < 64 << 20, "the host kept reading without a poll fence");
        }
        Assert.True(sent > 0);

        // Nothing was lost: polling brings every byte, in ring-sized messages.
        long received = 0;
        while (received < sent) received += _guest.PollForMessage().Data.Length;
        Assert.Equal(sent, received);
    }

    [Fact]
    public void In_a_steady_exchange_the_compositor_watch_is_left_as_it_is()
    {
        // The order of a round trip: the guest polls again before the compositor answers.
        var poll = _guest.Poll();
        _compositor.SendToGuest("first"u8);
        _guest.WaitForMessage(poll);
        long changes = _device.Harness.Loop.InterestChanges;
        for (int i = 0; i < 100; i++)
        {
            poll = _guest.Poll();
            _device.Harness.Loop.RunOnce(0);
            _compositor.SendToGuest("event"u8);
            Assert.Equal("event"u8.ToArray(), _guest.WaitForMessage(poll).Data);
        }
        Assert.Equal(changes, _device.Harness.Loop.InterestChanges);
    }

    [Fact]
    public void A_poll_fence_may_wait_forever_without_blocking_queries_or_other_contexts()
    {
        var waiting = _guest.Poll();

        Assert.NotEqual(0u, _guest.GetImageRequirements(32, 32, 0x34325241).BlobId);
        _guest.SubmitOk(CrossDomainCommands.Send("still sending"u8));

        var other = _device.CreateGuest(2).CreateRings().Init();
        _compositor.AcceptConnection();
        _compositor.SendToGuest("for the other context"u8);
        Assert.Equal("for the other context"u8.ToArray(), other.PollForMessage().Data);
        Assert.False(waiting.IsCompleted);

        // Destroying the context gives the guest its waiting reply back.
        _device.Harness.SendOk(GpuRequests.DestroyContext(_guest.ContextId));
        Assert.True(waiting.IsCompleted);
    }

    [Fact]
    public void A_poll_before_init_is_served_once_the_channel_exists()
    {
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath);
        var guest = device.CreateGuest(1).CreateRings();
        var poll = guest.Poll();
        guest.Init();
        compositor.AcceptConnection();
        compositor.SendToGuest("after init"u8);
        Assert.Equal("after init"u8.ToArray(), guest.WaitForMessage(poll).Data);
    }

    [Fact]
    public void Fences_on_rings_other_than_0_and_1_are_refused()
    {
        var reply = _device.Harness.Send(GpuRequests.Fenced(GpuRequests.Submit(_guest.ContextId, CrossDomainCommands.Poll()), _device.NextFenceId(), 2));
        Assert.True(reply.IsCompleted);
        Assert.Equal(CommandType.ErrorInvalidParameter, reply.Type);
    }

    [Fact]
    public void Commands_the_guest_cannot_send_are_refused()
    {
        foreach (var command in new[] { CrossDomainCommand.Receive, CrossDomainCommand.Read, CrossDomainCommand.CreateAtomicMemorySentinel,
                     CrossDomainCommand.AssignSocketUuid, (CrossDomainCommand)0, (CrossDomainCommand)200 })
        {
            var bytes = new byte[32];
            bytes[0] = (byte)command;
            bytes[2] = 32;
            _guest.SubmitFails(bytes, GpuError.InvalidParameter);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(17)]
    public void A_cmd_size_shorter_than_the_header_or_past_the_submission_is_malformed(int commandSize)
    {
        var bytes = CrossDomainCommands.Poll();
        bytes[2] = (byte)commandSize;
        _guest.SubmitFails(bytes, GpuError.Unspecified);
        _guest.SubmitFails(bytes[..5], GpuError.Unspecified);
    }

    [Fact]
    public void An_empty_submission_does_nothing()
    {
        _guest.SubmitOk([]);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }
}

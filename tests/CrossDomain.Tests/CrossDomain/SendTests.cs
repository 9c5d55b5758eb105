using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>SEND: identifiers turned into fds, bytes and fds in one sendmsg, every field checked (PROTOCOL.md B.5).</summary>
public sealed class SendTests : IDisposable
{
    private const uint Argb8888 = 0x34325241;

    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public SendTests()
    {
        _device = new CrossDomainDevice(_compositor.SocketPath, new CrossDomainContextLimits { MaxPendingSendBytes = 128 << 10 });
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    [Fact]
    public void Bytes_alone_reach_the_compositor_unchanged()
    {
        _guest.SubmitOk(CrossDomainCommands.Send("wl_display.sync"u8));
        var (data, fds) = _compositor.ReceiveFromGuest("wl_display.sync"u8.Length);
        Assert.Equal("wl_display.sync"u8.ToArray(), data);
        Assert.Empty(fds);
    }

    [Fact]
    public void A_blob_identifier_passes_the_blobs_memory_with_the_bytes_in_one_message()
    {
        var requirements = _guest.GetImageRequirements(16, 16, Argb8888);
        uint blob = _guest.CreateHostBlob(requirements.BlobId, requirements.Size);
        ulong offset = _guest.MapHostBlob(blob, requirements.Size);
        "pixels from the guest"u8.CopyTo(_device.Harness.Window.MappedAt(offset, 64));

        var request = new byte[24];
        _guest.SubmitOk(CrossDomainCommands.Send(request, (blob, IdentifierType.VirtgpuBlob)));

        // One recvmsg gets the bytes and the fd together.
        var buffer = new byte[100];
        var fds = new List<FileDescriptor>();
        var result = _compositor.Connection.Receive(buffer, fds);
        Assert.Equal(request.Length, result.Bytes);
        using var memory = Assert.Single(fds);
        using var mapping = MemoryMapping.Map(memory, (long)requirements.Size);
        Assert.True(mapping.Span.StartsWith("pixels from the guest"u8));
    }

    [Fact]
    public void Several_commands_in_one_submission_reach_the_compositor_in_order()
    {
        _guest.SubmitOk(CrossDomainCommands.Concatenate(CrossDomainCommands.Send("first "u8), CrossDomainCommands.Send("second"u8)));
        Assert.Equal("first second"u8.ToArray(), _compositor.ReceiveFromGuest(12).Data);
    }

    [Fact]
    public void A_blob_identifier_must_be_a_resource_attached_to_this_context_with_host_memory()
    {
        _guest.SubmitFails(CrossDomainCommands.Send("x"u8, (4242, IdentifierType.VirtgpuBlob)), GpuError.InvalidResourceId);

        var other = _device.CreateGuest(2).CreateRings().Init(ChannelType.None);
        var requirements = other.GetImageRequirements(16, 16, Argb8888);
        uint othersBlob = other.CreateHostBlob(requirements.BlobId, requirements.Size);
        _guest.SubmitFails(CrossDomainCommands.Send("x"u8, (othersBlob, IdentifierType.VirtgpuBlob)), GpuError.InvalidResourceId);

        // Guest memory has no host fd to pass.
        _guest.SubmitFails(CrossDomainCommands.Send("x"u8, (_guest.ChannelRingId, IdentifierType.VirtgpuBlob)), GpuError.InvalidParameter);

        // Nor has a detached blob.
        uint mine = _guest.CreateHostBlob(_guest.GetImageRequirements(16, 16, Argb8888).BlobId, requirements.Size);
        _device.Harness.SendOk(GpuRequests.DetachResource(_guest.ContextId, mine));
        _guest.SubmitFails(CrossDomainCommands.Send("x"u8, (mine, IdentifierType.VirtgpuBlob)), GpuError.InvalidResourceId);
        Assert.Equal(0, _compositor.Drain());
    }

    [Theory]
    [InlineData(IdentifierType.VirtgpuSync)]
    [InlineData(IdentifierType.WritePipe)]
    [InlineData(IdentifierType.Event)]
    [InlineData(IdentifierType.VirtioFsBlob)]
    [InlineData(IdentifierType.Socket)]
    [InlineData((IdentifierType)0)]
    [InlineData((IdentifierType)99)]
    public void Identifier_types_a_guest_cannot_send_are_refused(IdentifierType type)
    {
        _guest.SubmitFails(CrossDomainCommands.Send("x"u8, (1, type)), GpuError.InvalidParameter);
        AssertRefused(CrossDomainRefusal.IdentifierTypeNotSendable);
    }

    [Fact]
    public void More_than_28_identifiers_are_refused()
    {
        var send = CrossDomainCommands.Send("x"u8);
        send[8] = CrossDomainLimits.MaxIdentifiers + 1;
        _guest.SubmitFails(send, GpuError.InvalidParameter);
        AssertRefused(CrossDomainRefusal.TooManyIdentifiers);
        send[8] = 0xFF;
        send[11] = 0xFF;
        _guest.SubmitFails(send, GpuError.InvalidParameter);
    }

    [Fact]
    public void Identifiers_without_bytes_are_refused()
    {
        uint blob = _guest.CreateHostBlob(_guest.GetImageRequirements(16, 16, Argb8888).BlobId, 4096);
        _guest.SubmitFails(CrossDomainCommands.Send([], (blob, IdentifierType.VirtgpuBlob)), GpuError.InvalidParameter);
        AssertRefused(CrossDomainRefusal.IdentifiersWithoutData);
        _guest.SubmitOk(CrossDomainCommands.Send([]));
    }

    private void AssertRefused(CrossDomainRefusal refusal) =>
        Assert.Contains(_device.Harness.Logger.Entries, entry => refusal.Equals(entry.Value("Reason")));

    [Fact]
    public void Sizes_are_checked_against_cmd_size()
    {
        var send = CrossDomainCommands.Send("abcd"u8);
        send[12] = 5; // opaque_data_size past the command
        _guest.SubmitFails(send, GpuError.Unspecified);
        _guest.SubmitFails(send[..CrossDomainSendReceive.Size], GpuError.Unspecified);

        var shortSend = CrossDomainCommands.Send([]).AsSpan(0, 100).ToArray();
        shortSend[2] = 100;
        _guest.SubmitFails(shortSend, GpuError.Unspecified);

        // Data shorter than cmd_size leaves the rest unsent, as rutabaga does.
        var padded = CrossDomainCommands.Send("abcd"u8);
        padded[12] = 2;
        _guest.SubmitOk(padded);
        Assert.Equal("ab"u8.ToArray(), _compositor.ReceiveFromGuest(2).Data);
    }

    [Fact]
    public void A_send_past_the_budget_waits_for_the_compositor_and_then_every_byte_arrives_in_order()
    {
        int ready = 0;
        _device.Harness.Device.SubmissionsReady += () => ready++;
        var sent = new List<byte>();
        var chunk = new byte[CrossDomainLimits.MaxSendReceivePayload];
        int round = 0;
        RecordingReply reply;
        while (true)
        {
            chunk.AsSpan().Fill((byte)round);
            reply = _guest.Submit(CrossDomainCommands.Send(chunk));
            // Deferred rather than refused: the device answers nothing and takes no more for now.
            if (!reply.IsCompleted) break;
            Assert.Equal(CommandType.OkNoData, reply.Type);
            sent.AddRange(chunk);
            round++;
            Assert.True(sent.Count < 64 << 20, "sends never had to wait");
        }

        // The compositor reads; the device is told it may go on, and the same SEND goes through.
        var received = new List<byte>();
        var buffer = new byte[65536];
        var fds = new List<FileDescriptor>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ready == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the device was never told the SEND could go on");
            var result = _compositor.Connection.Receive(buffer, fds);
            if (result.Status == IoStatus.Done) received.AddRange(buffer.AsSpan(0, result.Bytes));
            _device.Harness.Loop.RunOnce(5);
        }
        reply = _guest.Submit(CrossDomainCommands.Send(chunk));
        Assert.True(reply.IsCompleted);
        Assert.Equal(CommandType.OkNoData, reply.Type);
        sent.AddRange(chunk);

        while (received.Count < sent.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "queued sends did not all arrive");
            _device.Harness.Loop.RunOnce(5);
            var result = _compositor.Connection.Receive(buffer, fds);
            if (result.Status == IoStatus.Done) received.AddRange(buffer.AsSpan(0, result.Bytes));
        }
        Assert.Equal(sent, received);
        Assert.Empty(fds);
    }

    [Fact]
    public void A_compositor_that_reads_nothing_for_the_wait_limit_loses_its_connection_and_the_device_goes_on()
    {
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath,
            new CrossDomainContextLimits { MaxPendingSendBytes = 128 << 10, MaxSendWait = TimeSpan.FromMilliseconds(100) });
        var guest = device.CreateGuest(1).CreateRings().Init();
        compositor.AcceptConnection();
        bool ready = false;
        device.Harness.Device.SubmissionsReady += () => ready = true;
        var chunk = new byte[CrossDomainLimits.MaxSendReceivePayload];
        while (guest.Submit(CrossDomainCommands.Send(chunk)).IsCompleted) { }

        // Nobody reads: once the limit has passed, the device is told to go on, and the SEND that
        // waited is refused for the connection that is gone.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!ready)
        {
            Assert.True(DateTime.UtcNow < deadline, "the wait for a compositor that reads nothing never ended");
            device.Harness.Loop.RunOnce(10);
        }
        device.Harness.ErrorsExpected = true;
        guest.SubmitFails(CrossDomainCommands.Send(chunk), GpuError.Unspecified);
        lock (device.Logger.Entries)
            Assert.Contains(device.Logger.Entries, entry => entry.Message.Contains("read nothing", StringComparison.Ordinal));
        // The next context of the device is served.
        var next = device.CreateGuest(2).CreateRings().Init();
        compositor.AcceptConnection();
        next.SubmitOk(CrossDomainCommands.Send("still here"u8));
    }

    [Fact]
    public void Each_queued_send_costs_more_than_its_bytes_so_one_byte_sends_cannot_pile_up()
    {
        int accepted = 0;
        while (_guest.Submit(CrossDomainCommands.Send("x"u8)) is { IsCompleted: true } reply)
        {
            Assert.Equal(CommandType.OkNoData, reply.Type);
            accepted++;
            Assert.True(accepted < 1 << 20, "sends never had to wait");
        }
        // 128 KiB of budget would queue 128 Ki of them at one byte each; counting what each costs the
        // host leaves a thousand or so, besides the few hundred the kernel's socket buffer takes.
        Assert.True(accepted < 16 << 10, $"{accepted} one-byte sends were taken");
    }

    [Fact]
    public void A_send_that_cannot_wait_is_refused_when_the_budget_is_full()
    {
        var chunk = new byte[CrossDomainLimits.MaxSendReceivePayload];
        while (_guest.Submit(CrossDomainCommands.Send(chunk)).IsCompleted) { }
        // Second in its submission: the first command was carried out, so the submission cannot be
        // handed in again from the start.
        var twoCommands = CrossDomainCommands.Concatenate(CrossDomainCommands.GetImageRequirements(16, 16, Argb8888), CrossDomainCommands.Send(chunk));
        _guest.SubmitFails(twoCommands, GpuError.OutOfMemory);
    }

    [Fact]
    public void Sending_to_a_compositor_that_hung_up_is_an_error()
    {
        _compositor.CloseConnection();
        _device.Harness.Loop.RunOnce(10);
        var reply = _guest.Submit(CrossDomainCommands.Send("anyone there?"u8));
        Assert.Equal(CommandType.ErrorUnspecified, reply.Type);
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }
}

using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// READ_PIPE and WRITE_PIPE round trips with hang-up (PROTOCOL.md B.8), the stand-in compositor
/// playing the pasting or offering client on the host.
/// </summary>
public sealed class PipeTests : IDisposable
{
    private const uint FirstReadPipeId = 0x8000_0001;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public PipeTests()
    {
        _device = new CrossDomainDevice(_compositor.SocketPath, new CrossDomainContextLimits { MaxPendingPipeWriteBytes = 256 << 10 });
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    [Fact]
    public void A_read_pipe_brings_what_the_compositor_writes_then_hangs_up()
    {
        using var writeEnd = SendReadPipe(FirstReadPipeId);
        Assert.True(Pipe.IsWriteOnlyPipe(writeEnd));
        // The compositor's client writes with ordinary blocking writes.
        Assert.False(TestFds.IsNonBlocking(writeEnd));

        Assert.Equal(IoStatus.Done, Pipe.Write(writeEnd, "text/plain contents"u8).Status);
        var data = _guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Read, data.Command);
        Assert.Equal(FirstReadPipeId, data.PipeId);
        Assert.False(data.HangUp);
        Assert.Equal("text/plain contents"u8.ToArray(), data.Data);

        writeEnd.Dispose();
        var end = _guest.PollForMessage();
        Assert.Equal(FirstReadPipeId, end.PipeId);
        Assert.True(end.HangUp);
        Assert.Empty(end.Data);

        // The pipe is forgotten: nothing more comes from it.
        var next = _guest.Poll();
        for (int i = 0; i < 5; i++) _device.Harness.Loop.RunOnce(10);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public void With_the_compositor_and_a_pipe_both_ready_one_poll_gets_one_of_them_and_the_next_poll_the_other()
    {
        using var writeEnd = SendReadPipe(FirstReadPipeId);
        Assert.Equal(IoStatus.Done, Pipe.Write(writeEnd, "pipe data"u8).Status);
        _compositor.SendToGuest("socket data"u8);

        var first = _guest.PollForMessage();
        var ring = _device.Harness.Memory.At(_guest.ChannelRingAddress, 4096);
        ring[0] = 0xEE;
        for (int i = 0; i < 10; i++) _device.Harness.Loop.RunOnce(5);
        Assert.Equal(0xEE, ring[0]);
        var second = _guest.PollForMessage();

        var commands = new[] { first.Command, second.Command };
        Assert.Contains(CrossDomainCommand.Read, commands);
        Assert.Contains(CrossDomainCommand.Receive, commands);
        Assert.Equal("pipe data"u8.ToArray(), (first.Command == CrossDomainCommand.Read ? first : second).Data);
        Assert.Equal("socket data"u8.ToArray(), (first.Command == CrossDomainCommand.Receive ? first : second).Data);
    }

    [Fact]
    public void Pipe_data_larger_than_a_ring_arrives_in_reads_of_at_most_4072_bytes()
    {
        var contents = new byte[20_000];
        new Random(7).NextBytes(contents);
        using (var writeEnd = SendReadPipe(FirstReadPipeId))
        {
            // Less than a pipe holds: one blocking write that returns at once.
            Assert.Equal(contents.Length, Pipe.Write(writeEnd, contents).Bytes);
            var received = new List<byte>();
            while (received.Count < contents.Length)
            {
                var message = _guest.PollForMessage();
                Assert.InRange(message.Data.Length, 1, CrossDomainLimits.MaxReadWritePayload);
                received.AddRange(message.Data);
            }
            Assert.Equal(contents, received.ToArray());
        }
        Assert.True(_guest.PollForMessage().HangUp);
    }

    [Fact]
    public void Read_pipe_ids_must_be_the_next_ones_and_a_refused_send_still_counts_its_pipe()
    {
        _guest.SubmitFails(CrossDomainCommands.Send("receive"u8, (FirstReadPipeId + 4, IdentifierType.ReadPipe)), GpuError.InvalidParameter);
        // The guest used 0x80000001 up on that SEND, as did the host: the next is 0x80000002.
        _guest.SubmitFails(CrossDomainCommands.Send("receive"u8, (FirstReadPipeId, IdentifierType.ReadPipe)), GpuError.InvalidParameter);
        using var writeEnd = SendReadPipe(FirstReadPipeId + 2);
    }

    [Fact]
    public void Two_read_pipes_in_one_send_take_consecutive_ids()
    {
        _guest.SubmitOk(CrossDomainCommands.Send("two receives"u8, (FirstReadPipeId, IdentifierType.ReadPipe), (FirstReadPipeId + 1, IdentifierType.ReadPipe)));
        var (data, fds) = _compositor.ReceiveFromGuest("two receives"u8.Length);
        Assert.Equal(2, fds.Count);
        Assert.Equal(IoStatus.Done, Pipe.Write(fds[1], "second"u8).Status);
        foreach (var fd in fds) fd.Dispose();
        var messages = new[] { _guest.PollForMessage(), _guest.PollForMessage(), _guest.PollForMessage() };
        Assert.Contains(messages, message => message.PipeId == FirstReadPipeId + 1 && message.Data.AsSpan().SequenceEqual("second"u8));
        Assert.Contains(messages, message => message.PipeId == FirstReadPipeId && message.HangUp);
    }

    [Fact]
    public void A_write_pipe_takes_what_the_guest_writes_and_closes_on_hang_up()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("wl_data_source.send"u8, writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;

            // sommelier's habit: hang_up on the last, short write.
            _guest.SubmitOk(CrossDomainCommands.Write(pipeId, "clipboard "u8, hangUp: false));
            _guest.SubmitOk(CrossDomainCommands.Write(pipeId, "text"u8, hangUp: true));
            Assert.Equal("clipboard text"u8.ToArray(), TestFds.ReadAll(readEnd, Timeout));

            _guest.SubmitFails(CrossDomainCommands.Write(pipeId, "after"u8, hangUp: false), GpuError.InvalidParameter);
        }
    }

    [Fact]
    public void Each_pipe_holds_one_host_fd_of_the_devices_budget_until_it_ends()
    {
        var fds = () => _device.Harness.Device.HostFdsInUse;
        using (var readPipeWriteEnd = SendReadPipe(FirstReadPipeId))
            Assert.Equal(1, fds());
        Assert.True(_guest.PollForMessage().HangUp);
        Assert.Equal(0, fds());

        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;
            Assert.Equal(1, fds());
            _guest.SubmitOk(CrossDomainCommands.Write(pipeId, "data"u8, hangUp: true));
            Assert.Equal(0, fds());
        }
    }

    [Fact]
    public void A_send_whose_pipes_the_fd_budget_cannot_hold_is_out_of_memory()
    {
        using var device = new CrossDomainDevice(_compositor.SocketPath, deviceLimits: new DeviceLimits { MaxHostFds = 1 });
        var guest = device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
        // Both ends of the pipe are open while it is sent.
        guest.SubmitFails(CrossDomainCommands.Send("receive"u8, (FirstReadPipeId, IdentifierType.ReadPipe)), GpuError.OutOfMemory);
        Assert.Equal(0, device.Harness.Device.HostFdsInUse);
        Assert.Equal(0, _compositor.Drain());
    }

    [Fact]
    public void An_empty_write_with_hang_up_ends_the_pipe()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;
            // wayland-proxy-virtwl's habit: data, then a 0-byte write with hang_up at EOF.
            _guest.SubmitOk(CrossDomainCommands.Write(pipeId, "data"u8, hangUp: false));
            _guest.SubmitOk(CrossDomainCommands.Write(pipeId, [], hangUp: true));
            Assert.Equal("data"u8.ToArray(), TestFds.ReadAll(readEnd, Timeout));
        }
    }

    [Fact]
    public void Writes_a_slow_reader_cannot_take_yet_wait_on_the_loop_in_order()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;

            // 200 KiB, three times what a pipe holds, written before the reader reads anything.
            var contents = new byte[200 << 10];
            new Random(3).NextBytes(contents);
            for (int offset = 0; offset < contents.Length; offset += CrossDomainLimits.MaxReadWritePayload)
            {
                int length = Math.Min(CrossDomainLimits.MaxReadWritePayload, contents.Length - offset);
                bool last = offset + length == contents.Length;
                _guest.SubmitOk(CrossDomainCommands.Write(pipeId, contents.AsSpan(offset, length), last));
            }

            var received = new List<byte>();
            var buffer = new byte[65536];
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, "the queued writes did not all arrive");
                _device.Harness.Loop.RunOnce(5);
                var result = Pipe.Read(readEnd, buffer);
                if (result.Status == IoStatus.EndOfStream) break;
                if (result.Status == IoStatus.Done) received.AddRange(buffer.AsSpan(0, result.Bytes));
            }
            Assert.Equal(contents, received.ToArray());
        }
    }

    [Fact]
    public void Writes_past_the_queue_budget_are_refused()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;
            var chunk = new byte[CrossDomainLimits.MaxReadWritePayload];
            int written = 0;
            GpuError error;
            do
            {
                var reply = _guest.Submit(CrossDomainCommands.Write(pipeId, chunk, hangUp: false));
                error = reply.Type == CommandType.OkNoData ? GpuError.None : (GpuError)reply.Type;
                if (error == GpuError.None) written += chunk.Length;
                Assert.True(written < 1 << 20, "writes were never refused");
            }
            while (error == GpuError.None);
            Assert.Equal(GpuError.OutOfMemory, error);
            // Pipe capacity plus the budget: what was accepted, and no more.
            Assert.InRange(written, 256 << 10, (256 << 10) + (1 << 20));
        }
    }

    [Fact]
    public void Writing_after_the_reader_closed_is_an_error_and_forgets_the_pipe()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
        uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;
        readEnd.Dispose();
        _guest.SubmitFails(CrossDomainCommands.Write(pipeId, "nobody reads"u8, hangUp: false), GpuError.Unspecified);
        _guest.SubmitFails(CrossDomainCommands.Write(pipeId, "nobody reads"u8, hangUp: false), GpuError.InvalidParameter);
    }

    [Theory]
    [InlineData(12345u)]
    [InlineData(FirstReadPipeId)]
    public void Writing_to_an_id_that_is_no_write_pipe_is_an_error(uint id)
    {
        _guest.SubmitFails(CrossDomainCommands.Write(id, "x"u8, hangUp: false), GpuError.InvalidParameter);
        // A template is an item too, but no pipe.
        uint templateId = _guest.GetImageRequirements(8, 8, 0x34325241).BlobId;
        _guest.SubmitFails(CrossDomainCommands.Write(templateId, "x"u8, hangUp: false), GpuError.InvalidParameter);
    }

    [Fact]
    public void A_write_that_claims_more_data_than_it_carries_is_malformed()
    {
        var command = CrossDomainCommands.Write(5, "abc"u8, hangUp: false);
        command[16] = 4;
        _guest.SubmitFails(command, GpuError.Unspecified);
        _guest.SubmitFails(command[..20], GpuError.Unspecified);
    }

    /// <summary>SENDs a READ_PIPE identifier and returns the write end the compositor got.</summary>
    private FileDescriptor SendReadPipe(uint id)
    {
        _guest.SubmitOk(CrossDomainCommands.Send("receive"u8, (id, IdentifierType.ReadPipe)));
        var (data, fds) = _compositor.ReceiveFromGuest("receive"u8.Length);
        Assert.Equal("receive"u8.ToArray(), data);
        return Assert.Single(fds);
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }
}

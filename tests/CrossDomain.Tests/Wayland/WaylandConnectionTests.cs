using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Wayland;

[Collection(FdAccounting.Name)]
public sealed class WaylandConnectionTests : IDisposable
{
    private const uint ThingId = 5;
    private readonly UnixSocket _peer;
    private readonly WaylandConnection _connection;

    public WaylandConnectionTests()
    {
        var (a, b) = UnixSocket.CreatePair();
        _peer = a;
        _connection = new WaylandConnection(b);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _peer.Dispose();
    }

    private static MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error)
    {
        error = WireError.None;
        if (objectId != ThingId)
        {
            error = WireError.UnknownObject;
            return null;
        }
        var signature = TestSignatures.Thing.GetRequest(opcode);
        if (signature is null) error = WireError.UnknownOpcode;
        return signature;
    }

    private static byte[] Encode(ushort opcode, Action<WireWriterBox> arguments)
    {
        var buffer = new byte[4096];
        var box = new WireWriterBox(buffer);
        box.Begin(ThingId, opcode);
        arguments(box);
        return buffer[..box.End()];
    }

    private static byte[] Plain(uint value) => Encode(TestSignatures.Plain.Opcode, w => w.Uint(value));

    private static byte[] OneFd(int size) => Encode(TestSignatures.OneFd.Opcode, w => w.Int(size));

    private ReadStatus Read(out WaylandMessage message) => _connection.TryReadMessage(Resolve, out message, out _);

    [Fact]
    public void A_message_split_across_reads_is_reassembled()
    {
        var bytes = Encode(TestSignatures.Text.Opcode, w => w.String("split across three reads"));
        foreach (var chunk in new[] { bytes[..3], bytes[3..11], bytes[11..] })
        {
            Assert.Equal(ReadStatus.NeedMoreData, Read(out _));
            Assert.Equal(IoStatus.Done, _peer.Send(chunk).Status);
            Assert.Equal(IoStatus.Done, _connection.Fill().Status);
        }
        Assert.Equal(ReadStatus.Message, Read(out var message));
        var reader = message.CreateReader();
        Assert.True(reader.TryReadString(false, out string? text));
        Assert.Equal("split across three reads", text);
        Assert.Equal(0, _connection.PendingInput);
    }

    [Fact]
    public void An_fd_that_arrives_before_its_message_is_paired_with_it()
    {
        using var memfd = MemFd.Create("early", 3);
        _peer.Send(Plain(1), [memfd]);
        _peer.Send(OneFd(3));
        _connection.Fill();
        _connection.Fill();
        Assert.Equal(ReadStatus.Message, Read(out var plain));
        Assert.Empty(plain.Fds);
        Assert.Equal(ReadStatus.Message, Read(out var withFd));
        var fd = Assert.Single(withFd.Fds);
        Assert.Equal(3, MemFd.GetSize(fd));
        fd.Dispose();
    }

    [Fact]
    public void A_message_waits_for_an_fd_sent_after_its_bytes()
    {
        using var memfd = MemFd.Create("late", 9);
        _peer.Send(OneFd(9));
        _connection.Fill();
        Assert.Equal(ReadStatus.NeedMoreData, Read(out _));
        _peer.Send(Plain(2), [memfd]);
        _connection.Fill();
        Assert.Equal(ReadStatus.Message, Read(out var withFd));
        Assert.Equal(9, MemFd.GetSize(withFd.Fds[0]));
        withFd.Fds[0].Dispose();
        Assert.Equal(ReadStatus.Message, Read(out var plain));
        Assert.Equal(TestSignatures.Plain.Opcode, plain.Opcode);
    }

    [Fact]
    public void Output_is_batched_within_4096_bytes_and_28_fds_per_sendmsg()
    {
        var fds = new List<FileDescriptor>();
        for (int i = 0; i < 100; i++)
        {
            _connection.Enqueue(OneFd(i), [MemFd.Create("batch", i + 1)]);
            _connection.Enqueue(Encode(TestSignatures.Text.Opcode, w => w.String(new string('x', 40))));
        }
        Assert.Equal(IoStatus.Done, _connection.Flush().Status);
        Assert.False(_connection.HasPendingOutput);

        // A unix stream read never crosses into a segment that carries fds, so each read below
        // returns at most one sendmsg's worth whenever fds were attached to it.
        var buffer = new byte[65536];
        int totalBytes = 0, reads = 0;
        while (true)
        {
            int before = fds.Count;
            var result = _peer.Receive(buffer, fds);
            if (result.Status == IoStatus.WouldBlock) break;
            Assert.Equal(IoStatus.Done, result.Status);
            if (fds.Count > before) Assert.InRange(result.Bytes, 1, WaylandConnection.MaxBatchBytes);
            Assert.InRange(fds.Count - before, 0, UnixSocket.MaxFdsPerMessage);
            totalBytes += result.Bytes;
            reads++;
        }
        Assert.Equal(100, fds.Count);
        Assert.Equal(100 * (OneFd(0).Length + 8 + 4 + 44), totalBytes);
        Assert.True(reads >= 4, $"100 fds need at least 4 sendmsg calls, saw {reads} reads");
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), fds.Select(MemFd.GetSize));
        fds.ForEach(fd => fd.Dispose());
    }

    [Fact]
    public void Fds_are_paired_with_the_right_messages_after_batching()
    {
        var (a, b) = UnixSocket.CreatePair();
        using var sender = new WaylandConnection(a);
        using var receiver = new WaylandConnection(b);
        for (int i = 0; i < 60; i++)
        {
            sender.Enqueue(Plain((uint)i));
            sender.Enqueue(OneFd(i + 1), [MemFd.Create("pair", i + 1)]);
        }
        Assert.Equal(IoStatus.Done, sender.Flush().Status);
        int seen = 0;
        while (receiver.Fill().Status == IoStatus.Done)
        {
            while (receiver.TryReadMessage(Resolve, out var message, out _) == ReadStatus.Message)
            {
                if (message.Opcode != TestSignatures.OneFd.Opcode) continue;
                var reader = message.CreateReader();
                Assert.True(reader.TryReadFd(out var fd));
                Assert.True(reader.TryReadInt(out int size));
                Assert.Equal(size, MemFd.GetSize(fd!));
                fd!.Dispose();
                seen++;
            }
        }
        Assert.Equal(60, seen);
    }

    public static TheoryData<string, byte[], WireError> MalformedStreams => new()
    {
        { "size below 8", [5, 0, 0, 0, 0, 0, 4, 0], WireError.MessageTooShort },
        { "size above the limit", [5, 0, 0, 0, 3, 0, 0, 0x20], WireError.MessageTooLarge },
        { "unknown object", [9, 0, 0, 0, 3, 0, 12, 0, 1, 0, 0, 0], WireError.UnknownObject },
        { "unknown opcode", [5, 0, 0, 0, 99, 0, 12, 0, 1, 0, 0, 0], WireError.UnknownOpcode },
        { "string without NUL", [5, 0, 0, 0, 4, 0, 16, 0, 4, 0, 0, 0, 0x61, 0x62, 0x63, 0x64], WireError.StringNotTerminated },
    };

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public void Malformed_input_is_a_typed_error_not_an_exception(string why, byte[] stream, WireError expected)
    {
        Assert.NotEmpty(why);
        _peer.Send(stream);
        _connection.Fill();
        Assert.Equal(ReadStatus.Malformed, _connection.TryReadMessage(Resolve, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Input_that_fills_the_buffer_waiting_for_fds_is_an_error_not_a_hang_up()
    {
        // one_fd messages whose fds never come: the first blocks every later one.
        var message = OneFd(1);
        var stream = Enumerable.Repeat(message, 2 * 8192 / message.Length).SelectMany(bytes => bytes).ToArray();
        Assert.Equal(stream.Length, _peer.Send(stream).Bytes);
        IoResult result;
        do
        {
            result = _connection.Fill();
            Assert.Equal(ReadStatus.NeedMoreData, Read(out _));
        }
        while (result.Status == IoStatus.Done);
        Assert.Equal(IoStatus.Failed, result.Status);
    }

    [Fact]
    public void Output_beyond_the_socket_buffer_waits_and_reports_congestion()
    {
        var (a, b) = UnixSocket.CreatePair();
        using var peer = b;
        using var sender = new WaylandConnection(a, congestionThreshold: 64 * 1024);
        var message = Encode(TestSignatures.Blob.Opcode, w => w.Array(new byte[2000]));
        while (!sender.IsCongested)
        {
            sender.Enqueue(message);
            sender.Flush();
        }
        Assert.Equal(IoStatus.WouldBlock, sender.Flush().Status);
        var sink = new byte[65536];
        while (sender.HasPendingOutput)
        {
            while (peer.Receive(sink, []).Status == IoStatus.Done) { }
            sender.Flush();
        }
        Assert.False(sender.IsCongested);
    }

    [Fact]
    public void Disposing_closes_fds_still_queued_in_either_direction()
    {
        var before = FdAccounting.Snapshot();
        var (a, b) = UnixSocket.CreatePair();
        var connection = new WaylandConnection(a);
        using (var memfd = MemFd.Create("inbound", 1)) b.Send(Plain(1), [memfd]);
        connection.Fill();
        connection.Enqueue(OneFd(1), [MemFd.Create("outbound", 1)]);
        Assert.Equal(1, connection.PendingInputFds);
        connection.Dispose();
        b.Dispose();
        FdAccounting.AssertNoneOpenedSince(before);
    }

    /// <summary>Collects argument writes from a lambda (a ref struct writer cannot be captured).</summary>
    private sealed class WireWriterBox(byte[] buffer)
    {
        private delegate void Step(ref WireWriter writer);

        private readonly List<Step> _steps = [];
        private uint _objectId;
        private ushort _opcode;

        public void Begin(uint objectId, ushort opcode) => (_objectId, _opcode) = (objectId, opcode);

        public void Uint(uint value) => _steps.Add((ref WireWriter w) => w.WriteUint(value));

        public void Int(int value) => _steps.Add((ref WireWriter w) => w.WriteInt(value));

        public void String(string value) => _steps.Add((ref WireWriter w) => w.WriteString(value));

        public void Array(byte[] value) => _steps.Add((ref WireWriter w) => w.WriteArray(value));

        public int End()
        {
            var writer = new WireWriter(buffer);
            writer.Begin(_objectId, _opcode);
            foreach (var step in _steps) step(ref writer);
            return writer.End();
        }
    }
}

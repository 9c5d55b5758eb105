using System.Buffers.Binary;
using CrossDomain.Fuzz.Targets;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.GuestProxy.Relay.Dmabuf;
using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Proxy;

/// <summary>
/// The proxy's linux-dmabuf message by message: what the client is told, what the host is sent
/// instead (a wl_shm, pools and shm buffers under the client's ids), which delete_ids the client
/// sees, and what each commit reads back. A real <see cref="ClientSession"/> (<see cref="FakeHostSession"/>)
/// on the fuzz targets' FAKE host, which plays a render node (memfds stand in for dma-bufs) and records what it is
/// sent. The real path, Mesa's virgl in a guest, is VirtualMachine/CrossDomainGuestTests'.
/// </summary>
public sealed class DmabufRelayTests : IDisposable
{
    private const uint Registry = 2, Dmabuf = 3, Feedback = 4, Params = 5, Buffer = 6, Compositor = 7, Surface = 8;
    private const uint HostShmName = 1, HostCompositorName = 2;
    private const int Width = 64, Height = 16, Stride = Width * 4;
    private const uint Argb8888 = 0x34325241;

    private readonly FakeHostDriver _host = new() { OffersDmabufs = true, RecordsSends = true };
    private readonly FakeHostSession _relay;
    private readonly byte[] _scratch = new byte[256];

    public DmabufRelayTests() => _relay = new FakeHostSession(_host);

    public void Dispose() => _relay.Dispose();

    [Fact]
    public void A_dmabuf_buffer_reaches_the_host_as_shm_and_each_commit_reads_back_only_its_damage()
    {
        var announced = BindDmabuf();
        Assert.Contains(announced, e => e.Object == Registry && e.Opcode == WlRegistry.Events.Global && Text(e.Body, 4) == "zwp_linux_dmabuf_v1");
        Assert.Equal(Message(Registry, WlRegistry.Requests.Bind, (ref WireWriter w) => WlRegistry.BindRequest.Encode(ref w, Registry, HostShmName, "wl_shm", 1, Dmabuf)), TakeSent().Single());

        // Feedback is answered here; on the host its id is a pool made and destroyed at once.
        var feedback = Request((ref WireWriter w) => ZwpLinuxDmabufV1.GetDefaultFeedbackRequest.Encode(ref w, Dmabuf, Feedback));
        Assert.Equal(
            [ZwpLinuxDmabufFeedbackV1.Events.FormatTable, ZwpLinuxDmabufFeedbackV1.Events.MainDevice, ZwpLinuxDmabufFeedbackV1.Events.TrancheTargetDevice,
             ZwpLinuxDmabufFeedbackV1.Events.TrancheFormats, ZwpLinuxDmabufFeedbackV1.Events.TrancheDone, ZwpLinuxDmabufFeedbackV1.Events.Done],
            feedback.Select(e => e.Opcode));
        Assert.All(feedback, e => Assert.Equal(Feedback, e.Object));
        using (var table = Assert.Single(feedback[0].Fds))
        using (var mapped = MemoryMapping.Map(table, 32, writable: false))
            Assert.Equal(DmabufFormats.FormatTable(), mapped.Span.ToArray());
        Assert.Equal(FakeHostDriver.FakeRenderNode, BinaryPrimitives.ReadUInt64LittleEndian(feedback[1].Body.AsSpan(4)));
        var sent = TakeSent();
        Assert.Equal([(Dmabuf, WlShm.Requests.CreatePool), (Feedback, WlShmPool.Requests.Destroy)], sent.Select(Target));

        // The buffer: its params id becomes the host pool around the shadow.
        using var dmabuf = MemFd.Create("fake-dmabuf", Stride * Height);
        Request((ref WireWriter w) => ZwpLinuxDmabufV1.CreateParamsRequest.Encode(ref w, Dmabuf, Params));
        Request((ref WireWriter w) => ZwpLinuxBufferParamsV1.AddRequest.Encode(ref w, Params, 0, 0, Stride, 0x00ffffff, 0xffffffff), dmabuf);
        Request((ref WireWriter w) => ZwpLinuxBufferParamsV1.CreateImmedRequest.Encode(ref w, Params, Buffer, Width, Height, Argb8888, 0));
        sent = TakeSent();
        Assert.Equal([(Dmabuf, WlShm.Requests.CreatePool), (Params, WlShmPool.Requests.Destroy), (Dmabuf, WlShm.Requests.CreatePool), (Params, WlShmPool.Requests.CreateBuffer)],
            sent.Select(Target));
        Assert.Equal(Message(Params, WlShmPool.Requests.CreateBuffer, (ref WireWriter w) => WlShmPool.CreateBufferRequest.Encode(ref w, Params, Buffer, 0, Width, Height, Stride, 0)), sent[3]);
        Assert.Equal(1, _host.OpenImports);

        // The first commit reads the whole buffer back; the next ones their damage only.
        Request((ref WireWriter w) => WlRegistry.BindRequest.Encode(ref w, Registry, HostCompositorName, "wl_compositor", 4, Compositor));
        Request((ref WireWriter w) => WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, Surface));
        Commit(damage: (0, 0, Width, Height));
        Commit(damage: (8, 4, 16, 2));
        Assert.Equal(2, _host.ReadBacks.Count);
        Assert.Equal((0u, 0u, (uint)Width, (uint)Height, 0u), BoxAndOffset(_host.ReadBacks[0]));
        Assert.Equal((8u, 4u, 16u, 2u, (uint)(4 * Stride + 8 * 4)), BoxAndOffset(_host.ReadBacks[1]));

        TakeSent();

        // The params' delete_id from the host is the client's; the proxy's own (feedback, the pool re-made) are not.
        Request((ref WireWriter w) => Bare(ref w, Params, 0));
        Assert.Equal([(Params, WlShmPool.Requests.Destroy)], TakeSent().Select(Target));
        var deletes = HostSends((ref WireWriter w) =>
        {
            WlDisplay.DeleteIdEvent.Encode(ref w, 1, Feedback);
            WlDisplay.DeleteIdEvent.Encode(ref w, 1, Params);
            WlDisplay.DeleteIdEvent.Encode(ref w, 1, Params);
        });
        Assert.Equal([Params], deletes.Select(e => BinaryPrimitives.ReadUInt32LittleEndian(e.Body)));
        var feedbackGone = Request((ref WireWriter w) => Bare(ref w, Feedback, 0));
        Assert.Equal([(1u, WlDisplay.Events.DeleteId)], feedbackGone.Select(e => (e.Object, e.Opcode)));
        Assert.Equal(Feedback, BinaryPrimitives.ReadUInt32LittleEndian(feedbackGone[0].Body));

        Request((ref WireWriter w) => Bare(ref w, Buffer, WlBuffer.Requests.Destroy));
        Assert.Equal(0, _host.OpenImports);
    }

    public static TheoryData<string, uint, uint> Refusals => new()
    {
        { "plane", 1, ParamsError.PlaneIdx },
        { "format", 0, ParamsError.InvalidFormat },
        { "rows", 0, ParamsError.OutOfBounds },
        { "twice", 0, ParamsError.AlreadyUsed },
        { "pipe", 0, DisplayError.Implementation },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_bad_params_object_gets_the_protocol_error_linux_dmabuf_names(string problem, uint plane, uint expectedCode)
    {
        BindDmabuf();
        TakeSent();
        using var dmabuf = MemFd.Create("fake-dmabuf", Stride * Height);
        var (pipeRead, pipeWrite) = Pipe.Create();
        using var _ = pipeRead;
        using var __ = pipeWrite;
        Request((ref WireWriter w) => ZwpLinuxDmabufV1.CreateParamsRequest.Encode(ref w, Dmabuf, Params));
        var events = Request((ref WireWriter w) => ZwpLinuxBufferParamsV1.AddRequest.Encode(ref w, Params, plane, 0, Stride, 0x00ffffff, 0xffffffff),
            problem == "pipe" ? pipeRead : dmabuf);
        if (events.Count == 0)
        {
            events = Request((ref WireWriter w) => ZwpLinuxBufferParamsV1.CreateImmedRequest.Encode(ref w, Params, Buffer, Width,
                problem == "rows" ? Height + 1 : Height, problem == "format" ? 0x34324258u /* XB24 */ : Argb8888, 0));
            if (problem == "twice") events = Request((ref WireWriter w) => ZwpLinuxBufferParamsV1.CreateImmedRequest.Encode(ref w, Params, Buffer + 10, Width, Height, Argb8888, 0));
        }
        var error = Assert.Single(events);
        Assert.Equal((1u, WlDisplay.Events.Error), (error.Object, error.Opcode));
        Assert.Equal((Params, expectedCode), (BinaryPrimitives.ReadUInt32LittleEndian(error.Body), BinaryPrimitives.ReadUInt32LittleEndian(error.Body.AsSpan(4))));
    }

    /// <summary>get_registry, the host's wl_shm and wl_compositor, and a bind of the proxy's global; returns what the client was sent.</summary>
    private List<ReceivedEvent> BindDmabuf()
    {
        Request((ref WireWriter w) => WlDisplay.GetRegistryRequest.Encode(ref w, 1, Registry));
        var announced = HostSends((ref WireWriter w) =>
        {
            WlRegistry.GlobalEvent.Encode(ref w, Registry, HostShmName, "wl_shm", 1);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, HostCompositorName, "wl_compositor", 5);
        });
        Request((ref WireWriter w) => WlRegistry.BindRequest.Encode(ref w, Registry, DmabufFormats.GlobalName, "zwp_linux_dmabuf_v1", 4, Dmabuf));
        _host.Sends.RemoveAt(0);
        return announced;
    }

    private void Commit((int X, int Y, int Width, int Height) damage)
    {
        Request((ref WireWriter w) =>
        {
            WlSurface.AttachRequest.Encode(ref w, Surface, Buffer, 0, 0);
            WlSurface.DamageBufferRequest.Encode(ref w, Surface, damage.X, damage.Y, damage.Width, damage.Height);
            WlSurface.CommitRequest.Encode(ref w, Surface);
        });
    }

    private delegate void Encoder(ref WireWriter writer);

    private List<ReceivedEvent> Request(Encoder encode, params FileDescriptor[] fds)
    {
        var writer = new WireWriter(_scratch);
        encode(ref writer);
        Assert.Equal(IoStatus.Done, _relay.Client.Send(writer.Written, fds).Status);
        return RunAndRead();
    }

    private List<ReceivedEvent> HostSends(Encoder encode)
    {
        var writer = new WireWriter(_scratch);
        encode(ref writer);
        _host.QueueChannelMessage(FakeHostSession.Receive(writer.Written));
        return RunAndRead();
    }

    private List<ReceivedEvent> RunAndRead()
    {
        _relay.RunUntilIdle();
        var events = new List<ReceivedEvent>();
        var buffer = new byte[65536];
        var fds = new List<FileDescriptor>();
        while (true)
        {
            var received = _relay.Client.Receive(buffer, fds);
            if (received.Status != IoStatus.Done || received.Bytes == 0) break;
            for (int at = 0; at < received.Bytes;)
            {
                uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
                uint sizeAndOpcode = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at + 4));
                int size = (int)(sizeAndOpcode >> 16);
                var ownFds = objectId != 1 && (ushort)sizeAndOpcode == ZwpLinuxDmabufFeedbackV1.Events.FormatTable && fds.Count > 0 ? [fds[0]] : Array.Empty<FileDescriptor>();
                if (ownFds.Length > 0) fds.RemoveAt(0);
                events.Add(new ReceivedEvent(objectId, (ushort)sizeAndOpcode, buffer.AsSpan(at + 8, size - 8).ToArray(), ownFds));
                at += size;
            }
        }
        return events;
    }

    /// <summary>The SENDs since the last call, as one Wayland message each.</summary>
    private List<byte[]> TakeSent()
    {
        var messages = new List<byte[]>();
        foreach (var (data, _) in _host.Sends)
            for (int at = 0; at < data.Length;)
            {
                int size = (int)(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4)) >> 16);
                messages.Add(data.AsSpan(at, size).ToArray());
                at += size;
            }
        _host.Sends.Clear();
        return messages;
    }

    private static (uint Object, ushort Opcode) Target(byte[] message) =>
        (BinaryPrimitives.ReadUInt32LittleEndian(message), (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(4)));

    private static byte[] Message(uint objectId, ushort opcode, Encoder encode)
    {
        var writer = new WireWriter(new byte[256]);
        encode(ref writer);
        Assert.Equal((objectId, opcode), Target(writer.Written.ToArray()));
        return writer.Written.ToArray();
    }

    private static void Bare(ref WireWriter writer, uint objectId, ushort opcode)
    {
        writer.WriteUint(objectId);
        writer.WriteUint(8u << 16 | opcode);
    }

    private static string Text(byte[] body, int offset)
    {
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(offset));
        return System.Text.Encoding.UTF8.GetString(body, offset + 4, length - 1);
    }

    private static (uint, uint, uint, uint, uint) BoxAndOffset((uint Handle, global::CrossDomain.VirtioGpu.Protocol.Box Box, uint Offset) readBack) =>
        (readBack.Box.X, readBack.Box.Y, readBack.Box.Width, readBack.Box.Height, readBack.Offset);

    private sealed record ReceivedEvent(uint Object, ushort Opcode, byte[] Body, FileDescriptor[] Fds);
}

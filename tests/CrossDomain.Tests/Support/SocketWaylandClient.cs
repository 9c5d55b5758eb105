using System.Text;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Support;

/// <summary>One event as a test sees it: copied out of the connection, with the fds it brought.</summary>
public sealed record ReceivedEvent(uint ObjectId, WaylandInterface Interface, ushort Opcode, byte[] Body, FileDescriptor[] Fds)
{
    public bool Is(WaylandInterface @interface, ushort opcode) => Interface == @interface && Opcode == opcode;
}

/// <summary>
/// A Wayland client of our own codec on a socket, for tests that drive a compositor (or the
/// proxy) message by message: it keeps the object map, answers xdg_wm_base.ping, and hands every
/// other event to the test. A protocol error fails the test unless the test expects it.
/// </summary>
public sealed class SocketWaylandClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly WaylandConnection _connection;
    private readonly WaylandObjectMap _objects = new();
    private readonly byte[] _requests = new byte[4096];
    private readonly Queue<ReceivedEvent> _events = new();
    private uint _nextId = 2;
    private uint _registry;

    public SocketWaylandClient(UnixSocket socket) => _connection = new WaylandConnection(socket);

    public List<AnnouncedGlobal> Globals { get; } = [];

    /// <summary>Set once the peer closed the connection.</summary>
    public bool Disconnected { get; private set; }

    /// <summary>The wl_display.error received, if any.</summary>
    public (uint ObjectId, uint Code, string Message)? ProtocolError { get; private set; }

    /// <summary>When set, a protocol error ends the wait instead of failing the test.</summary>
    public bool ExpectProtocolError { get; set; }

    public IReadOnlyList<AnnouncedGlobal> GetGlobals()
    {
        _registry = NewObject(WlRegistry.Interface);
        var writer = Requests();
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, _registry);
        Send(writer.Written);
        Roundtrip();
        return Globals;
    }

    public uint Bind(WaylandInterface @interface, uint maxVersion)
    {
        var global = Globals.First(g => g.Interface == @interface.Name);
        uint version = Math.Min(global.Version, maxVersion);
        uint id = NewObject(@interface, version);
        var writer = Requests();
        WlRegistry.BindRequest.Encode(ref writer, _registry, global.Name, @interface.Name, version, id);
        Send(writer.Written);
        return id;
    }

    public uint NewObject(WaylandInterface @interface, uint version = 1)
    {
        uint id = _nextId++;
        Assert.True(_objects.TryAdd(id, @interface, version));
        return id;
    }

    public WireWriter Requests() => new(_requests);

    public void Send(ReadOnlySpan<byte> requests, params FileDescriptor[] fds)
    {
        _connection.Enqueue(requests, fds);
        var result = _connection.Flush();
        Assert.True(result.Status == IoStatus.Done, $"sending: {result}");
    }

    /// <summary>wl_display.sync and every event up to its done.</summary>
    public List<ReceivedEvent> Roundtrip()
    {
        uint callback = NewObject(WlCallback.Interface);
        var writer = Requests();
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        Send(writer.Written);
        return DispatchUntil(e => e.ObjectId == callback && e.Opcode == WlCallback.Events.Done);
    }

    /// <summary>Events until (and with) the first for which <paramref name="isLast"/> holds.</summary>
    public List<ReceivedEvent> DispatchUntil(Func<ReceivedEvent, bool> isLast)
    {
        var seen = new List<ReceivedEvent>();
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            while (_events.TryDequeue(out var next))
            {
                seen.Add(next);
                if (isLast(next)) return seen;
            }
            if (Disconnected || ProtocolError is not null) return seen;
            Assert.True(DateTime.UtcNow < deadline, "the expected event did not come");
            ReadEvents(deadline);
        }
    }

    /// <summary>Reads until the peer closes the connection, as a client does after a protocol error.</summary>
    public void WaitForDisconnect()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!Disconnected)
        {
            Assert.True(DateTime.UtcNow < deadline, "the connection was not closed");
            ReadEvents(deadline);
        }
    }

    public void Dispose() => _connection.Dispose();

    private unsafe void ReadEvents(DateTime deadline)
    {
        var poll = new Tmds.Linux.pollfd { fd = _connection.Socket.Fd, events = Tmds.Linux.LibC.POLLIN };
        Tmds.Linux.LibC.poll(&poll, 1, (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMilliseconds, 0, 200));
        var result = _connection.Fill();
        if (result.Status is IoStatus.EndOfStream || result.IsError) Disconnected = true;
        ReadStatus read;
        while ((read = _connection.TryReadMessage(Resolve, out var message, out var error)) == ReadStatus.Message)
            Handle(message);
        Assert.True(read == ReadStatus.NeedMoreData, $"malformed event: {read}");
    }

    private MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error) =>
        _objects.Resolve(objectId, opcode, MessageDirection.Events, out error);

    private void Handle(WaylandMessage message)
    {
        _objects.TryGet(message.ObjectId, out var target);
        var body = message.Body.Span;
        if (message.Created.Exists) _objects.TryAddServerObject(message.Created.Id, WaylandProtocols.Find(message.Created.Interface!)!, target.Version);
        if (message.ObjectId == WaylandObjectMap.DisplayId && message.Opcode == WlDisplay.Events.Error)
        {
            Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(body, message.Fds, out var error));
            ProtocolError = (error.ObjectId, error.Code, Encoding.UTF8.GetString(error.Message));
            if (!ExpectProtocolError) Assert.Fail($"protocol error {error.Code} on object {error.ObjectId}: {ProtocolError.Value.Message}");
            return;
        }
        if (message.ObjectId == WaylandObjectMap.DisplayId && message.Opcode == WlDisplay.Events.DeleteId)
        {
            Assert.Equal(WireError.None, WlDisplay.DeleteIdEvent.TryDecode(body, message.Fds, out var deleted));
            _objects.Remove(deleted.Id);
            return;
        }
        if (message.ObjectId == _registry && message.Opcode == WlRegistry.Events.Global)
        {
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(body, message.Fds, out var global));
            Globals.Add(new AnnouncedGlobal(global.Name, Encoding.UTF8.GetString(global.Interface), global.Version));
        }
        if (target.Interface == XdgWmBase.Interface && message.Opcode == XdgWmBase.Events.Ping)
        {
            Assert.Equal(WireError.None, XdgWmBase.PingEvent.TryDecode(body, message.Fds, out var ping));
            var writer = new WireWriter(new byte[16]);
            XdgWmBase.PongRequest.Encode(ref writer, message.ObjectId, ping.Serial);
            _connection.Enqueue(writer.Written);
            _connection.Flush();
        }
        _events.Enqueue(new ReceivedEvent(message.ObjectId, target.Interface, message.Opcode, body.ToArray(), message.Fds));
    }
}

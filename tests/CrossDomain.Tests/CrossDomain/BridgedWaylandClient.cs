using System.Text;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>One Wayland event as it came through the bridge; its fds are the RECEIVE identifiers paired with it.</summary>
internal sealed record BridgedEvent(uint ObjectId, ushort Opcode, WaylandInterface Interface, byte[] Body, ReceivedIdentifier[] Fds)
{
    public bool Is(WaylandInterface @interface, ushort opcode) => Interface == @interface && Opcode == opcode;
}

/// <summary>
/// A Wayland client that reaches a real compositor only through one cross-domain context, as a
/// guest proxy does: requests go out in SEND commands, events come back in RECEIVE messages. A
/// RECEIVE is a slice of the stream (at most 3744 bytes, cut anywhere), so events are reassembled
/// here, and each event takes as many identifiers as its signature has fds, in order.
/// </summary>
internal sealed class BridgedWaylandClient
{
    private readonly ICrossDomainGuest _guest;
    private readonly WaylandObjectMap _objects = new();
    private readonly Queue<ReceivedIdentifier> _identifiers = new();
    private readonly byte[] _requests = new byte[4096];
    private byte[] _input = new byte[16 * 1024];
    private int _inputLength;
    private uint _nextId = 2;

    public BridgedWaylandClient(ICrossDomainGuest guest) => _guest = guest;

    /// <summary>Bytes of each RECEIVE that carried events, in order: how the stream was cut.</summary>
    public List<int> ReceiveSizes { get; } = [];

    /// <summary>The globals <see cref="GetGlobals"/> collected.</summary>
    public List<AnnouncedGlobal> Globals { get; } = [];

    /// <summary>The registry <see cref="GetGlobals"/> made.</summary>
    public uint Registry { get; private set; }

    /// <summary>wl_display.get_registry and wl_display.sync in one SEND, then every global up to the callback's done.</summary>
    public IReadOnlyList<AnnouncedGlobal> GetGlobals()
    {
        Registry = NewObject(WlRegistry.Interface);
        uint callback = NewObject(WlCallback.Interface);
        var writer = Requests();
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, Registry);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        Send(writer.Written);
        foreach (var next in DispatchUntil(e => e.ObjectId == callback && e.Opcode == WlCallback.Events.Done))
        {
            if (!next.Is(WlRegistry.Interface, WlRegistry.Events.Global)) continue;
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(next.Body, [], out var global));
            Globals.Add(new AnnouncedGlobal(global.Name, Encoding.UTF8.GetString(global.Interface), global.Version));
        }
        return Globals;
    }

    /// <summary>wl_registry.bind of the global implementing <paramref name="interface"/>, at most at <paramref name="maxVersion"/>.</summary>
    public uint Bind(WaylandInterface @interface, uint maxVersion)
    {
        var global = Globals.Single(candidate => candidate.Interface == @interface.Name);
        uint version = Math.Min(global.Version, maxVersion);
        uint id = NewObject(@interface, version);
        var writer = Requests();
        WlRegistry.BindRequest.Encode(ref writer, Registry, global.Name, @interface.Name, version, id);
        Send(writer.Written);
        return id;
    }

    public uint NewObject(WaylandInterface @interface, uint version = 1)
    {
        uint id = _nextId++;
        Assert.True(_objects.TryAdd(id, @interface, version));
        return id;
    }

    /// <summary>A writer over the request buffer; encode, then pass <see cref="WireWriter.Written"/> to <see cref="Send"/>.</summary>
    public WireWriter Requests() => new(_requests);

    /// <summary>One SEND with these requests and, for their fd arguments, these identifiers.</summary>
    public void Send(ReadOnlySpan<byte> requests, params (uint Id, IdentifierType Type)[] identifiers) =>
        _guest.Send(requests, identifiers);

    /// <summary>wl_display.sync, then events until its done: everything sent before has been handled.</summary>
    public List<BridgedEvent> Roundtrip()
    {
        uint callback = NewObject(WlCallback.Interface);
        var writer = Requests();
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        Send(writer.Written);
        var events = DispatchUntil(e => e.ObjectId == callback && e.Opcode == WlCallback.Events.Done);
        _objects.Remove(callback);
        return events;
    }

    /// <summary>Events, polling the channel as needed, up to and including the first one <paramref name="isLast"/> accepts.</summary>
    public List<BridgedEvent> DispatchUntil(Func<BridgedEvent, bool> isLast)
    {
        var events = new List<BridgedEvent>();
        while (true)
        {
            var next = NextEvent();
            events.Add(next);
            if (isLast(next)) return events;
        }
    }

    public BridgedEvent NextEvent()
    {
        while (true)
        {
            if (TryTakeEvent(out var next)) return next;
            var message = _guest.PollForMessage();
            Assert.Equal(CrossDomainCommand.Receive, message.Command);
            Assert.True(message.Data.Length > 0 || message.Identifiers.Length > 0, "the compositor closed the connection");
            ReceiveSizes.Add(message.Data.Length);
            Append(message.Data);
            foreach (var identifier in message.Identifiers) _identifiers.Enqueue(identifier);
        }
    }

    private bool TryTakeEvent(out BridgedEvent next)
    {
        next = null!;
        var pending = _input.AsSpan(0, _inputLength);
        if (!MessageHeader.TryRead(pending, MessageHeader.MaxMessageSize, out var header, out var error))
        {
            Assert.Equal(WireError.None, error);
            return false;
        }
        if (pending.Length < header.Size) return false;
        var signature = _objects.Resolve(header.ObjectId, header.Opcode, MessageDirection.Events, out error);
        Assert.True(signature is not null, $"an event for object {header.ObjectId} opcode {header.Opcode} that the client does not know: {error}");
        Assert.True(_objects.TryGet(header.ObjectId, out var target));
        if (_identifiers.Count < signature.FdCount) return false;

        var fds = new ReceivedIdentifier[signature.FdCount];
        for (int i = 0; i < fds.Length; i++) fds[i] = _identifiers.Dequeue();
        next = new BridgedEvent(header.ObjectId, header.Opcode, target.Interface, pending.Slice(MessageHeader.Length, header.BodyLength).ToArray(), fds);
        pending[header.Size..].CopyTo(_input);
        _inputLength -= header.Size;
        Observe(next);
        return true;
    }

    /// <summary>What any client must do with an event: fail on a protocol error, forget deleted ids, answer pings.</summary>
    private void Observe(BridgedEvent next)
    {
        if (next.Is(XdgWmBase.Interface, XdgWmBase.Events.Ping))
        {
            Assert.Equal(WireError.None, XdgWmBase.PingEvent.TryDecode(next.Body, [], out var ping));
            var writer = Requests();
            XdgWmBase.PongRequest.Encode(ref writer, next.ObjectId, ping.Serial);
            Send(writer.Written);
        }
        if (next.Is(WlDisplay.Interface, WlDisplay.Events.Error))
        {
            Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(next.Body, [], out var protocolError));
            Assert.Fail($"protocol error {protocolError.Code} on object {protocolError.ObjectId}: {Encoding.UTF8.GetString(protocolError.Message)}");
        }
        if (next.Is(WlDisplay.Interface, WlDisplay.Events.DeleteId))
        {
            Assert.Equal(WireError.None, WlDisplay.DeleteIdEvent.TryDecode(next.Body, [], out var deleted));
            _objects.Remove(deleted.Id);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_input.Length - _inputLength < data.Length) Array.Resize(ref _input, Math.Max(_input.Length * 2, _inputLength + data.Length));
        data.CopyTo(_input.AsSpan(_inputLength));
        _inputLength += data.Length;
    }
}

using System.Text;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Support.Wayland;

/// <summary>One event as a test sees it: copied out of the stream, with what stands for its fds.</summary>
public sealed record WaylandTestEvent<TFd>(uint ObjectId, WaylandInterface Interface, ushort Opcode, byte[] Body, TFd[] Fds)
{
    public bool Is(WaylandInterface @interface, ushort opcode) => Interface == @interface && Opcode == opcode;
}

/// <summary>
/// What carries a test client's Wayland stream: a socket (real fds ride with the bytes) or a
/// cross-domain channel (identifiers stand for fds, and what is sent differs from what comes back).
/// </summary>
public interface IWaylandTestTransport<TSentFd, TReceivedFd> : IDisposable
{
    /// <summary>Sends requests with the fds of their fd arguments, which are the transport's from now on.</summary>
    void Send(ReadOnlySpan<byte> requests, ReadOnlySpan<TSentFd> fds);

    /// <summary>
    /// Waits at most about <paramref name="patience"/> for the peer, then hands over what came
    /// (maybe nothing): the bytes, valid until the next call, and the fds, added to <paramref name="fds"/>
    /// in order. False once the peer has hung up.
    /// </summary>
    bool TryReceive(TimeSpan patience, out ReadOnlySpan<byte> bytes, Queue<TReceivedFd> fds);
}

/// <summary>
/// A Wayland client of our own codec, for tests that drive a compositor (or the proxy, or the
/// bridge) message by message, over any <see cref="IWaylandTestTransport{TSentFd, TReceivedFd}"/>.
/// It keeps the object map, frames events and pairs each with as many fds as its signature has
/// (bytes and fds may come apart, in any cut), collects the globals, answers xdg_wm_base.ping, and
/// hands every other event to the test. A protocol error or a hang-up fails the test unless the
/// test expects it.
/// </summary>
public class WaylandTestClient<TSentFd, TReceivedFd>(IWaylandTestTransport<TSentFd, TReceivedFd> transport) : IDisposable
{
    /// <summary>libwayland's cap on a message, which any real client applies to what it reads.</summary>
    private const int MaxEventSize = 4096;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly WaylandObjectMap _objects = new();
    private readonly byte[] _requests = new byte[4096];
    // Replies the client makes by itself (pongs) have their own buffer: a test may be between
    // encoding into Requests() and sending when a ping comes.
    private readonly byte[] _replies = new byte[16];
    private readonly Queue<TReceivedFd> _fds = new();
    private readonly Queue<WaylandTestEvent<TReceivedFd>> _events = new();
    private byte[] _input = new byte[16 * 1024];
    private int _inputLength;
    private uint _nextId = 2;

    /// <summary>Who is at the other end, as failure messages name it.</summary>
    public string PeerName { get; init; } = "the peer";

    /// <summary>The globals announced on <see cref="Registry"/>, as they came.</summary>
    public List<AnnouncedGlobal> Globals { get; } = [];

    /// <summary>The registry <see cref="GetGlobals"/> made.</summary>
    public uint Registry { get; private set; }

    /// <summary>Set once the peer closed the connection.</summary>
    public bool Disconnected { get; private set; }

    /// <summary>The wl_display.error received, if any.</summary>
    public (uint ObjectId, uint Code, string Message)? ProtocolError { get; private set; }

    /// <summary>When set, a protocol error (and the hang-up after it) ends the wait instead of failing the test.</summary>
    public bool ExpectProtocolError { get; set; }

    /// <summary>wl_display.sync round trips answered so far.</summary>
    public int CompletedRoundtrips { get; private set; }

    /// <summary>wl_display.get_registry and wl_display.sync in one send, then every global up to the callback's done.</summary>
    public IReadOnlyList<AnnouncedGlobal> GetGlobals()
    {
        Registry = NewObject(WlRegistry.Interface);
        var writer = Requests();
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, Registry);
        RoundtripAfter(ref writer);
        return Globals;
    }

    /// <summary>wl_registry.bind of the global implementing <paramref name="interface"/>, at most at <paramref name="maxVersion"/>.</summary>
    public uint Bind(WaylandInterface @interface, uint maxVersion)
    {
        int index = Globals.FindIndex(candidate => candidate.Interface == @interface.Name);
        Assert.True(index >= 0, $"{PeerName} offers no {@interface.Name}");
        var global = Globals[index];
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

    /// <summary>Sends these requests and, for their fd arguments, these fds (the transport's from now on).</summary>
    public void Send(ReadOnlySpan<byte> requests, params TSentFd[] fds) => transport.Send(requests, fds);

    /// <summary>wl_display.sync, then events until its done: everything sent before has been handled.</summary>
    public List<WaylandTestEvent<TReceivedFd>> Roundtrip()
    {
        var writer = Requests();
        return RoundtripAfter(ref writer);
    }

    /// <summary>Events, reading as needed, up to and including the first one <paramref name="isLast"/> accepts.</summary>
    public List<WaylandTestEvent<TReceivedFd>> DispatchUntil(Func<WaylandTestEvent<TReceivedFd>, bool> isLast)
    {
        var seen = new List<WaylandTestEvent<TReceivedFd>>();
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            while (_events.TryDequeue(out var next))
            {
                seen.Add(next);
                if (isLast(next)) return seen;
            }
            if (Disconnected || ProtocolError is not null)
            {
                Assert.True(ExpectProtocolError, $"{PeerName} closed the connection");
                return seen;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{PeerName} did not send the awaited event");
            Read(deadline);
        }
    }

    /// <summary>Reads until the peer closes the connection, as a client does after a protocol error; false when it stays open for <paramref name="patience"/>.</summary>
    public bool WaitUntilDisconnected(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!Disconnected && DateTime.UtcNow < deadline) Read(deadline);
        return Disconnected;
    }

    public void WaitForDisconnect() => Assert.True(WaitUntilDisconnected(Timeout), "the connection was not closed");

    public void Dispose()
    {
        transport.Dispose();
        // Fds that came ahead of an event that never did are still ours.
        while (_fds.TryDequeue(out var fd)) (fd as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>wl_display.sync after what <paramref name="writer"/> holds, in one send, then events until its done.</summary>
    private List<WaylandTestEvent<TReceivedFd>> RoundtripAfter(ref WireWriter writer)
    {
        uint callback = NewObject(WlCallback.Interface);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        Send(writer.Written);
        var events = DispatchUntil(e => e.ObjectId == callback && e.Opcode == WlCallback.Events.Done);
        if (events.Count > 0 && events[^1].ObjectId == callback) CompletedRoundtrips++;
        return events;
    }

    private void Read(DateTime deadline)
    {
        var patience = TimeSpan.FromTicks(Math.Clamp((deadline - DateTime.UtcNow).Ticks, 0, PollInterval.Ticks));
        if (!transport.TryReceive(patience, out var bytes, _fds)) Disconnected = true;
        Append(bytes);
        while (TryTakeEvent(out var next)) Handle(next);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_input.Length - _inputLength < data.Length) Array.Resize(ref _input, Math.Max(_input.Length * 2, _inputLength + data.Length));
        data.CopyTo(_input.AsSpan(_inputLength));
        _inputLength += data.Length;
    }

    private bool TryTakeEvent(out WaylandTestEvent<TReceivedFd> next)
    {
        next = null!;
        var pending = _input.AsSpan(0, _inputLength);
        if (!MessageHeader.TryRead(pending, MaxEventSize, out var header, out var error))
        {
            Assert.True(error == WireError.None, $"malformed event header: {error}");
            return false;
        }
        if (pending.Length < header.Size) return false;
        var signature = _objects.Resolve(header.ObjectId, header.Opcode, MessageDirection.Events, out error);
        Assert.True(signature is not null, $"an event for object {header.ObjectId} opcode {header.Opcode} that the client does not know: {error}");
        Assert.True(_objects.TryGet(header.ObjectId, out var target));
        var body = pending.Slice(MessageHeader.Length, header.BodyLength);
        error = MessageValidator.Validate(signature, body, _fds.Count, out var created);
        // Its fds may come after its bytes, with a later read or RECEIVE.
        if (error == WireError.FdMissing) return false;
        Assert.True(error == WireError.None, $"malformed event {target.Interface.Name}.{signature.Name}: {error}");

        var fds = new TReceivedFd[signature.FdCount];
        for (int i = 0; i < fds.Length; i++) fds[i] = _fds.Dequeue();
        if (created.Exists) _objects.TryAddServerObject(created.Id, WaylandProtocols.Find(created.Interface!)!, target.Version);
        next = new WaylandTestEvent<TReceivedFd>(header.ObjectId, target.Interface, header.Opcode, body.ToArray(), fds);
        pending[header.Size..].CopyTo(_input);
        _inputLength -= header.Size;
        return true;
    }

    /// <summary>What any client must do with an event: note a protocol error, forget deleted ids, collect globals, answer pings.</summary>
    private void Handle(WaylandTestEvent<TReceivedFd> next)
    {
        if (next.Is(WlDisplay.Interface, WlDisplay.Events.Error))
        {
            Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(next.Body, [], out var error));
            ProtocolError = (error.ObjectId, error.Code, Encoding.UTF8.GetString(error.Message));
            if (!ExpectProtocolError) Assert.Fail($"protocol error {error.Code} on object {error.ObjectId}: {ProtocolError.Value.Message}");
            return;
        }
        if (next.Is(WlDisplay.Interface, WlDisplay.Events.DeleteId))
        {
            Assert.Equal(WireError.None, WlDisplay.DeleteIdEvent.TryDecode(next.Body, [], out var deleted));
            _objects.Remove(deleted.Id);
            return;
        }
        if (next.ObjectId == Registry && next.Opcode == WlRegistry.Events.Global)
        {
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(next.Body, [], out var global));
            Globals.Add(new AnnouncedGlobal(global.Name, Encoding.UTF8.GetString(global.Interface), global.Version));
        }
        if (next.Is(XdgWmBase.Interface, XdgWmBase.Events.Ping))
        {
            Assert.Equal(WireError.None, XdgWmBase.PingEvent.TryDecode(next.Body, [], out var ping));
            var writer = new WireWriter(_replies);
            XdgWmBase.PongRequest.Encode(ref writer, next.ObjectId, ping.Serial);
            transport.Send(writer.Written, []);
        }
        _events.Enqueue(next);
    }
}

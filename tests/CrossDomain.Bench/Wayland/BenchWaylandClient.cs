using System.Text;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// A Wayland client of the project's codec, built for measuring: it blocks in poll, allocates
/// nothing per event, answers xdg_wm_base.ping, forgets objects on delete_id, and turns a protocol
/// error or a hang-up into an exception. Every event goes to <see cref="Observer"/> (if set) before
/// the filter a wait was given.
/// </summary>
internal sealed class BenchWaylandClient : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly WaylandConnection _connection;
    private readonly WaylandObjectMap _objects = new();
    private readonly byte[] _scratch = new byte[4096];
    private readonly Dictionary<string, (uint Name, uint Version)> _globals = [];
    private uint _nextId = 2;
    private uint _registry;

    private BenchWaylandClient(UnixSocket socket) => _connection = new WaylandConnection(socket);

    /// <summary>Sees every event (for example buffer releases) whatever is being waited for.</summary>
    public WaylandEventFilter? Observer { get; set; }

    public static BenchWaylandClient Connect(string socketPath) => new(UnixSocket.Connect(socketPath));

    /// <summary>wl_display.get_registry and a round trip: every global is known afterwards.</summary>
    public void LoadGlobals()
    {
        _registry = NewId(WlRegistry.Interface);
        var writer = Writer();
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, _registry);
        Enqueue(writer.Written);
        Sync();
    }

    public bool HasGlobal(WaylandInterface @interface) => _globals.ContainsKey(@interface.Name);

    public uint Bind(WaylandInterface @interface, uint maxVersion)
    {
        if (!_globals.TryGetValue(@interface.Name, out var global))
            throw new InvalidOperationException($"the compositor does not offer {@interface.Name}");
        uint version = Math.Min(global.Version, maxVersion);
        uint id = NewId(@interface, version);
        var writer = Writer();
        WlRegistry.BindRequest.Encode(ref writer, _registry, global.Name, @interface.Name, version, id);
        Enqueue(writer.Written);
        return id;
    }

    public uint NewId(WaylandInterface @interface, uint version = 1)
    {
        uint id = _nextId++;
        if (!_objects.TryAdd(id, @interface, version)) throw new InvalidOperationException($"object id {id} is taken");
        return id;
    }

    /// <summary>A writer over this client's scratch buffer: encode, then <see cref="Enqueue"/> its bytes.</summary>
    public WireWriter Writer() => new(_scratch);

    public void Enqueue(ReadOnlySpan<byte> requests, params ReadOnlySpan<FileDescriptor> fds) => _connection.Enqueue(requests, fds);

    public bool HasPendingOutput => _connection.HasPendingOutput;

    /// <summary>Writes everything queued, reading events while the socket is full so neither side stalls.</summary>
    public void Flush()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var result = _connection.Flush();
            if (result.IsError || result.Status == IoStatus.EndOfStream) throw new IOException($"sending to the compositor: {result}");
            if (!_connection.HasPendingOutput) return;
            Poll((short)(Tmds.Linux.LibC.POLLIN | Tmds.Linux.LibC.POLLOUT), deadline);
            ReadAvailable(filter: null);
        }
    }

    /// <summary>wl_display.sync, then events until its done: the peer has handled everything sent before.</summary>
    public void Sync()
    {
        uint callback = NewId(WlCallback.Interface);
        var writer = Writer();
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        Enqueue(writer.Written);
        Flush();
        WaitFor((objectId, _, opcode, _) => objectId == callback && opcode == WlCallback.Events.Done);
    }

    /// <summary>Reads events until <paramref name="filter"/> accepts one.</summary>
    public void WaitFor(WaylandEventFilter filter)
    {
        Flush();
        var deadline = DateTime.UtcNow + Patience;
        while (!ReadAvailable(filter))
            Poll(Tmds.Linux.LibC.POLLIN, deadline);
    }

    /// <summary>Handles the events that have already arrived, without waiting for more.</summary>
    public void DispatchPending() => ReadAvailable(filter: null);

    public void Dispose() => _connection.Dispose();

    private unsafe void Poll(short events, DateTime deadline)
    {
        int remaining = (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMilliseconds, 0, int.MaxValue);
        if (remaining == 0) throw new TimeoutException($"no answer from the compositor within {Patience.TotalSeconds} s");
        var poll = new Tmds.Linux.pollfd { fd = _connection.Socket.Fd, events = events };
        Tmds.Linux.LibC.poll(&poll, 1, remaining);
    }

    // Dispatches what is already buffered, then what one read brings; true once the filter matched
    // (the events after that one stay buffered for the next wait).
    private bool ReadAvailable(WaylandEventFilter? filter)
    {
        if (DispatchBuffered(filter)) return true;
        var result = _connection.Fill();
        if (result.Status == IoStatus.EndOfStream) throw new IOException("the compositor closed the connection");
        if (result.IsError) throw new IOException($"reading from the compositor: {result}");
        return DispatchBuffered(filter);
    }

    private bool DispatchBuffered(WaylandEventFilter? filter)
    {
        ReadStatus read;
        while ((read = _connection.TryReadMessage(Resolve, out var message, out var error)) == ReadStatus.Message)
            if (Handle(message, filter)) return true;
        if (read != ReadStatus.NeedMoreData) throw new InvalidDataException($"malformed event: {read}");
        return false;
    }

    private MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error) =>
        _objects.Resolve(objectId, opcode, MessageDirection.Events, out error);

    private bool Handle(WaylandMessage message, WaylandEventFilter? filter)
    {
        _objects.TryGet(message.ObjectId, out var target);
        var body = message.Body.Span;
        foreach (var fd in message.Fds) fd.Dispose();
        if (message.Created.Exists) _objects.TryAddServerObject(message.Created.Id, WaylandProtocols.Find(message.Created.Interface!)!, target.Version);
        if (message.ObjectId == WaylandObjectMap.DisplayId)
        {
            if (message.Opcode == WlDisplay.Events.Error && WlDisplay.ErrorEvent.TryDecode(body, [], out var error) == WireError.None)
                throw new InvalidOperationException($"protocol error {error.Code} on object {error.ObjectId}: {Encoding.UTF8.GetString(error.Message)}");
            if (message.Opcode == WlDisplay.Events.DeleteId && WlDisplay.DeleteIdEvent.TryDecode(body, [], out var deleted) == WireError.None)
                _objects.Remove(deleted.Id);
            return false;
        }
        if (message.ObjectId == _registry && message.Opcode == WlRegistry.Events.Global
            && WlRegistry.GlobalEvent.TryDecode(body, [], out var global) == WireError.None)
            _globals[Encoding.UTF8.GetString(global.Interface)] = (global.Name, global.Version);
        if (target.Interface == XdgWmBase.Interface && message.Opcode == XdgWmBase.Events.Ping
            && XdgWmBase.PingEvent.TryDecode(body, [], out var ping) == WireError.None)
        {
            var writer = new WireWriter(new byte[16]);
            XdgWmBase.PongRequest.Encode(ref writer, message.ObjectId, ping.Serial);
            _connection.Enqueue(writer.Written);
            _connection.Flush();
        }
        Observer?.Invoke(message.ObjectId, target.Interface, message.Opcode, body);
        return filter is not null && filter(message.ObjectId, target.Interface, message.Opcode, body);
    }
}

using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Support;

/// <summary>
/// A minimal Wayland client made only of our codec: connection, object map, generated messages.
/// It blocks on its own small epoll loop, which is what a test wants.
/// </summary>
public sealed class CodecClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly WaylandConnection _connection;
    private readonly WaylandObjectMap _objects = new();
    private readonly EventLoop _loop = new();
    private readonly byte[] _scratch = new byte[512];
    private readonly List<AnnouncedGlobal> _globals = [];
    private uint _nextId = 2;
    private uint? _registry;
    private uint _pendingCallback;

    private CodecClient(UnixSocket socket)
    {
        _connection = new WaylandConnection(socket);
        _loop.Watch(socket.Handle, Readiness.Readable, _ => ReadEvents());
    }

    public int CompletedRoundtrips { get; private set; }

    /// <summary>The compositor (or the bridge in front of it) closed the connection.</summary>
    public bool IsDisconnected { get; private set; }

    public static CodecClient Connect(string socketPath) => new(UnixSocket.Connect(socketPath));

    public IReadOnlyList<AnnouncedGlobal> GetGlobals()
    {
        if (_registry is null)
        {
            uint registry = Allocate(WlRegistry.Interface);
            var writer = new WireWriter(_scratch);
            WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, registry);
            _connection.Enqueue(writer.Written);
            _registry = registry;
            Roundtrip();
        }
        return _globals;
    }

    /// <summary>wl_display.sync, then wait for the callback's done: everything sent before is handled.</summary>
    public void Roundtrip()
    {
        _pendingCallback = Allocate(WlCallback.Interface);
        var writer = new WireWriter(_scratch);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, _pendingCallback);
        _connection.Enqueue(writer.Written);
        Assert.Equal(IoStatus.Done, _connection.Flush().Status);
        var deadline = DateTime.UtcNow + Timeout;
        while (_pendingCallback != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the compositor did not answer wl_display.sync");
            _loop.RunOnce(100);
        }
        CompletedRoundtrips++;
    }

    /// <summary>Reads events until the other end closes the connection; false when it stays open for <paramref name="timeout"/>.</summary>
    public bool WaitUntilDisconnected(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!IsDisconnected && DateTime.UtcNow < deadline) _loop.RunOnce(100);
        return IsDisconnected;
    }

    public void Dispose()
    {
        _loop.Dispose();
        _connection.Dispose();
    }

    private uint Allocate(WaylandInterface @interface)
    {
        uint id = _nextId++;
        Assert.True(_objects.TryAdd(id, @interface, 1));
        return id;
    }

    private MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error) =>
        _objects.Resolve(objectId, opcode, MessageDirection.Events, out error);

    private void ReadEvents()
    {
        if (IsDisconnected) return;
        var status = _connection.Fill();
        if (status.Status is IoStatus.EndOfStream or IoStatus.Failed)
        {
            IsDisconnected = true;
            return;
        }
        Assert.True(status.Status is IoStatus.Done, $"reading from the compositor: {status}");
        ReadStatus read;
        while ((read = _connection.TryReadMessage(Resolve, out var message, out var error)) == ReadStatus.Message)
        {
            foreach (var fd in message.Fds) fd.Dispose();
            Handle(message);
        }
        Assert.True(read == ReadStatus.NeedMoreData, $"malformed event from the compositor: {read}");
    }

    private void Handle(WaylandMessage message)
    {
        var body = message.Body.Span;
        if (message.ObjectId == WaylandObjectMap.DisplayId && message.Opcode == WlDisplay.Events.Error)
        {
            Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(body, message.Fds, out var error));
            Assert.Fail($"protocol error {error.Code} on object {error.ObjectId}: {System.Text.Encoding.UTF8.GetString(error.Message)}");
        }
        else if (message.ObjectId == WaylandObjectMap.DisplayId && message.Opcode == WlDisplay.Events.DeleteId)
        {
            Assert.Equal(WireError.None, WlDisplay.DeleteIdEvent.TryDecode(body, message.Fds, out var deleted));
            _objects.Remove(deleted.Id);
        }
        else if (message.ObjectId == _registry && message.Opcode == WlRegistry.Events.Global)
        {
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(body, message.Fds, out var global));
            _globals.Add(new AnnouncedGlobal(global.Name, System.Text.Encoding.UTF8.GetString(global.Interface), global.Version));
        }
        else if (message.ObjectId == _pendingCallback && message.Opcode == WlCallback.Events.Done)
        {
            _pendingCallback = 0;
        }
    }
}

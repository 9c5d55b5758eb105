using System.Buffers.Binary;
using System.Text;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Captures a weston output through <c>weston_screenshooter</c> (TESTING.md), as a direct client
/// of weston made of our codec: it binds wl_output, wl_shm and the screenshooter, lends weston a
/// memfd buffer of the output's size, and reads the pixels once <c>done</c> comes. weston must run
/// with --debug, or it disconnects a client that binds the screenshooter.
/// </summary>
public sealed class WestonOutputCapture : IDisposable
{
    private const uint XrgbShmFormat = 1; // wl_shm.format xrgb8888
    private const uint CurrentModeFlag = 0x1; // wl_output.mode current
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly WaylandConnection _connection;
    private readonly WaylandObjectMap _objects = new();
    private readonly EventLoop _loop = new();
    private readonly byte[] _scratch = new byte[512];
    private readonly Dictionary<string, (uint Name, uint Version)> _globals = [];
    private readonly Dictionary<uint, Action> _pendingCallbacks = [];
    private uint _nextId = 2;
    private int _outputWidth;
    private int _outputHeight;
    private bool _shotDone;

    private WestonOutputCapture(UnixSocket socket)
    {
        _connection = new WaylandConnection(socket);
        _loop.Watch(socket.Handle, Readiness.Readable, _ => ReadEvents());
    }

    public static Screenshot Capture(HeadlessWeston weston)
    {
        using var client = new WestonOutputCapture(weston.Connect());
        return client.Capture();
    }

    public void Dispose()
    {
        _loop.Dispose();
        _connection.Dispose();
    }

    private Screenshot Capture()
    {
        uint registry = Allocate(WlRegistry.Interface, 1);
        var writer = new WireWriter(_scratch);
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, registry);
        _connection.Enqueue(writer.Written);
        Roundtrip();

        uint output = Bind(registry, WlOutput.Interface, 2);
        uint shm = Bind(registry, WlShm.Interface, 1);
        uint screenshooter = Bind(registry, WestonScreenshooter.Interface, 1);
        Roundtrip();
        Assert.True(_outputWidth > 0 && _outputHeight > 0, "the output announced no current mode");

        int stride = _outputWidth * 4;
        int size = stride * _outputHeight;
        using var memory = MemFd.Create("screenshot", size);
        uint pool = Allocate(WlShmPool.Interface, 1);
        uint buffer = Allocate(WlBuffer.Interface, 1);
        writer = new WireWriter(_scratch);
        WlShm.CreatePoolRequest.Encode(ref writer, shm, pool, size);
        _connection.Enqueue(writer.Written, [memory.Duplicate()]);
        writer = new WireWriter(_scratch);
        WlShmPool.CreateBufferRequest.Encode(ref writer, pool, buffer, 0, _outputWidth, _outputHeight, stride, XrgbShmFormat);
        writer.Begin(screenshooter, WestonScreenshooter.Requests.Shoot);
        writer.WriteObject(output);
        writer.WriteObject(buffer);
        writer.End();
        _connection.Enqueue(writer.Written);
        Assert.Equal(IoStatus.Done, _connection.Flush().Status);
        WaitFor(() => _shotDone, "weston_screenshooter.done");

        using var mapping = MemoryMapping.Map(memory, size, writable: false);
        var pixels = new uint[_outputWidth * _outputHeight];
        var bytes = mapping.Span;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]) & 0x00FF_FFFF;
        return new Screenshot(_outputWidth, _outputHeight, pixels);
    }

    private uint Bind(uint registry, WaylandInterface @interface, uint version)
    {
        Assert.True(_globals.TryGetValue(@interface.Name, out var global), $"weston offers no {@interface.Name}");
        uint id = Allocate(@interface, Math.Min(version, global.Version));
        var writer = new WireWriter(_scratch);
        WlRegistry.BindRequest.Encode(ref writer, registry, global.Name, @interface.Name, Math.Min(version, global.Version), id);
        _connection.Enqueue(writer.Written);
        return id;
    }

    private void Roundtrip()
    {
        uint callback = Allocate(WlCallback.Interface, 1);
        bool done = false;
        _pendingCallbacks[callback] = () => done = true;
        var writer = new WireWriter(_scratch);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, callback);
        _connection.Enqueue(writer.Written);
        Assert.Equal(IoStatus.Done, _connection.Flush().Status);
        WaitFor(() => done, "wl_display.sync");
    }

    private void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"weston did not answer {what}");
            _loop.RunOnce(100);
        }
    }

    private uint Allocate(WaylandInterface @interface, uint version)
    {
        uint id = _nextId++;
        Assert.True(_objects.TryAdd(id, @interface, version));
        return id;
    }

    private void ReadEvents()
    {
        var status = _connection.Fill();
        Assert.True(status.Status is IoStatus.Done, $"reading from weston: {status} (is it running with --debug?)");
        ReadStatus read;
        while ((read = _connection.TryReadMessage(Resolve, out var message, out _)) == ReadStatus.Message)
        {
            foreach (var fd in message.Fds) fd.Dispose();
            Handle(message);
        }
        Assert.True(read == ReadStatus.NeedMoreData, $"malformed event from weston: {read}");
    }

    private MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error) =>
        _objects.Resolve(objectId, opcode, MessageDirection.Events, out error);

    private void Handle(WaylandMessage message)
    {
        var body = message.Body.Span;
        Assert.True(_objects.TryGet(message.ObjectId, out var target));
        var @interface = target.Interface;
        if (@interface == WlDisplay.Interface && message.Opcode == WlDisplay.Events.Error)
        {
            Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(body, message.Fds, out var error));
            Assert.Fail($"weston: protocol error {error.Code} on object {error.ObjectId}: {Encoding.UTF8.GetString(error.Message)}");
        }
        else if (@interface == WlDisplay.Interface && message.Opcode == WlDisplay.Events.DeleteId)
        {
            Assert.Equal(WireError.None, WlDisplay.DeleteIdEvent.TryDecode(body, message.Fds, out var deleted));
            _objects.Remove(deleted.Id);
        }
        else if (@interface == WlRegistry.Interface && message.Opcode == WlRegistry.Events.Global)
        {
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(body, message.Fds, out var global));
            _globals.TryAdd(Encoding.UTF8.GetString(global.Interface), (global.Name, global.Version));
        }
        else if (@interface == WlOutput.Interface && message.Opcode == WlOutput.Events.Mode)
        {
            var reader = new WireReader(body);
            Assert.True(reader.TryReadUint(out uint flags) & reader.TryReadInt(out int width) & reader.TryReadInt(out int height));
            if ((flags & CurrentModeFlag) != 0) (_outputWidth, _outputHeight) = (width, height);
        }
        else if (@interface == WestonScreenshooter.Interface && message.Opcode == WestonScreenshooter.Events.Done)
        {
            _shotDone = true;
        }
        else if (@interface == WlCallback.Interface && _pendingCallbacks.Remove(message.ObjectId, out var onDone))
        {
            onDone();
        }
    }
}

using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// An XRGB8888 xdg toplevel of the picture's size (1080p or 4K) with two wl_shm buffers in one pool, as double-buffering
/// toolkits have: the caller paints a buffer only once the compositor has released it. Its
/// constructor does the whole window setup up to the acked first configure.
/// </summary>
internal sealed class ShmWindow : IDisposable
{
    public const int BufferCount = 2;
    private const uint XrgbShmFormat = 1;
    private readonly BenchWaylandClient _client;
    private readonly FileDescriptor _poolFd;
    private readonly MemoryMapping _pool;
    private readonly uint[] _buffers = new uint[BufferCount];
    private readonly bool[] _busy = new bool[BufferCount];
    private readonly uint _surface;
    private readonly int _bufferBytes;

    /// <param name="paint">Fills each buffer's first picture before the pool is shared.</param>
    public ShmWindow(BenchWaylandClient client, WindowSize size, Action<Span<uint>> paint)
    {
        _client = client;
        _bufferBytes = size.BufferBytes;
        _poolFd = MemFd.Create("crossdomain-bench-window", (long)BufferCount * _bufferBytes);
        _pool = MemoryMapping.Map(_poolFd, (long)BufferCount * _bufferBytes);
        for (int buffer = 0; buffer < BufferCount; buffer++) paint(Pixels(buffer));

        uint compositor = client.Bind(WlCompositor.Interface, 4);
        uint shm = client.Bind(WlShm.Interface, 1);
        uint wmBase = client.Bind(XdgWmBase.Interface, 1);
        uint pool = client.NewId(WlShmPool.Interface);
        for (int i = 0; i < BufferCount; i++) _buffers[i] = client.NewId(WlBuffer.Interface);
        _surface = client.NewId(WlSurface.Interface, 4);
        uint xdgSurface = client.NewId(XdgSurface.Interface);
        uint toplevel = client.NewId(XdgToplevel.Interface);

        var writer = client.Writer();
        WlShm.CreatePoolRequest.Encode(ref writer, shm, pool, BufferCount * _bufferBytes);
        client.Enqueue(writer.Written, _poolFd.Duplicate());
        writer = client.Writer();
        for (int i = 0; i < BufferCount; i++) WlShmPool.CreateBufferRequest.Encode(ref writer, pool, _buffers[i], i * _bufferBytes, size.Width, size.Height, size.Stride, XrgbShmFormat);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, _surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, xdgSurface, _surface);
        XdgSurface.GetToplevelRequest.Encode(ref writer, xdgSurface, toplevel);
        WlSurface.CommitRequest.Encode(ref writer, _surface);
        client.Enqueue(writer.Written);

        uint serial = 0;
        client.WaitFor((objectId, _, opcode, body) =>
        {
            if (objectId != xdgSurface || opcode != XdgSurface.Events.Configure) return false;
            serial = XdgSurface.ConfigureEvent.TryDecode(body, [], out var configure) == global::CrossDomain.Wayland.Wire.WireError.None ? configure.Serial : 0;
            return true;
        });
        writer = client.Writer();
        XdgSurface.AckConfigureRequest.Encode(ref writer, xdgSurface, serial);
        client.Enqueue(writer.Written);
        client.Observer = NoteRelease;
    }

    public uint Surface => _surface;

    public Span<uint> Pixels(int buffer) => MemoryMarshal.Cast<byte, uint>(_pool.GetSpan((long)buffer * _bufferBytes, _bufferBytes));

    /// <summary>Blocks until the compositor no longer reads <paramref name="buffer"/>.</summary>
    public void WaitUntilReleased(int buffer)
    {
        if (_busy[buffer]) _client.WaitFor((_, _, _, _) => !_busy[buffer]);
    }

    /// <summary>
    /// Attaches <paramref name="buffer"/> with <paramref name="damage"/> (none when empty) and commits;
    /// <paramref name="beforeCommit"/> may add requests for the same commit (a presentation feedback).
    /// </summary>
    public void Commit(int buffer, DamageBox damage, Action? beforeCommit = null)
    {
        var writer = _client.Writer();
        WlSurface.AttachRequest.Encode(ref writer, _surface, _buffers[buffer], 0, 0);
        if (damage.Width > 0) WlSurface.DamageBufferRequest.Encode(ref writer, _surface, damage.X, damage.Y, damage.Width, damage.Height);
        _client.Enqueue(writer.Written);
        beforeCommit?.Invoke();
        writer = _client.Writer();
        WlSurface.CommitRequest.Encode(ref writer, _surface);
        _client.Enqueue(writer.Written);
        _busy[buffer] = true;
        _client.Flush();
    }

    public void Dispose()
    {
        _client.Observer = null;
        _pool.Dispose();
        _poolFd.Dispose();
    }

    private bool NoteRelease(uint objectId, WaylandInterface @interface, ushort opcode, ReadOnlySpan<byte> body)
    {
        if (@interface == WlBuffer.Interface && opcode == WlBuffer.Events.Release)
            for (int i = 0; i < BufferCount; i++)
                if (_buffers[i] == objectId) _busy[i] = false;
        return false;
    }
}

/// <summary>A window's size in pixels, with its buffers' XRGB8888 layout.</summary>
internal readonly record struct WindowSize(int Width, int Height)
{
    public static WindowSize FullHd => new(1920, 1080);
    public static WindowSize UltraHd => new(3840, 2160);

    public int Stride => Width * 4;
    public int BufferBytes => Stride * Height;
}

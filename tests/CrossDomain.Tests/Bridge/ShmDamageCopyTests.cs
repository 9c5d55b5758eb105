using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// What the bridge copies for a 1080p shm window that changes one 64×64 square per frame: a client
/// of our own with two buffers (as double-buffering toolkits have), each frame repainting the
/// square it shows and the one its buffer missed, damaging only the new one. The proxy copies the
/// damage and what is stale from the other buffer's frame: at most twice the damaged bytes. The
/// same holds on a device without host-visible memory, where the shadows are guest copies and the
/// host copies what the proxy copied, no more.
/// </summary>
public sealed class ShmDamageCopyTests(ITestOutputHelper output)
{
    private const int Width = 1920;
    private const int Height = 1080;
    private const int Stride = Width * 4;
    private const int BufferBytes = Stride * Height;
    private const int Square = 64;
    private const int Frames = 10;
    private const uint XrgbShmFormat = 1;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_frame_that_damages_one_64x64_square_copies_at_most_twice_the_damaged_bytes_and_the_output_is_right(bool hostVisibleMemory)
    {
        using var weston = HeadlessWeston.Start(width: Width, height: Height, debug: true);
        using var bridge = BridgedProxy.Start(weston, hostVisibleMemory: hostVisibleMemory);
        using var copied = new CopiedBytesListener(bridge.Server.Metrics.Meter);
        using var transferred = new CopiedBytesListener(bridge.Server.Metrics.Meter, CopiedBytesListener.Transferred);
        using var client = new SocketWaylandClient(bridge.Connect());
        client.GetGlobals();
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        uint shm = client.Bind(WlShm.Interface, 1);
        uint wmBase = client.Bind(XdgWmBase.Interface, 1);

        using var poolFd = MemFd.Create("damage-test-pool", 2L * BufferBytes);
        using var pool = MemoryMapping.Map(poolFd, 2L * BufferBytes);
        for (int buffer = 0; buffer < 2; buffer++)
            for (int y = 0; y < Height; y++)
            {
                var row = pool.GetSpan((long)buffer * BufferBytes + (long)y * Stride, Stride);
                for (int x = 0; x < Width; x++) BitConverter.TryWriteBytes(row[(4 * x)..], Pattern(x, y));
            }

        uint poolId = client.NewObject(WlShmPool.Interface);
        uint[] buffers = [client.NewObject(WlBuffer.Interface), client.NewObject(WlBuffer.Interface)];
        uint surface = client.NewObject(WlSurface.Interface, 4);
        uint xdgSurface = client.NewObject(XdgSurface.Interface);
        uint toplevel = client.NewObject(XdgToplevel.Interface);
        var writer = client.Requests();
        WlShm.CreatePoolRequest.Encode(ref writer, shm, poolId, 2 * BufferBytes);
        client.Send(writer.Written, Duplicate(poolFd));
        writer = client.Requests();
        for (int i = 0; i < 2; i++) WlShmPool.CreateBufferRequest.Encode(ref writer, poolId, buffers[i], i * BufferBytes, Width, Height, Stride, XrgbShmFormat);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, xdgSurface, surface);
        XdgSurface.GetToplevelRequest.Encode(ref writer, xdgSurface, toplevel);
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written);
        var configure = client.DispatchUntil(e => e.Is(XdgSurface.Interface, XdgSurface.Events.Configure)).Last();
        Assert.Equal(WireError.None, XdgSurface.ConfigureEvent.TryDecode(configure.Body, [], out var configured));
        writer = client.Requests();
        XdgSurface.AckConfigureRequest.Encode(ref writer, xdgSurface, configured.Serial);
        client.Send(writer.Written);

        // The first buffer shown in full, then the second, which holds the same picture, with no
        // damage: both are new to the host, so each is copied whole once, and only then.
        var busy = new HashSet<uint>();
        Commit(client, surface, buffers[0], new DamageBox(0, 0, Width, Height), busy);
        Commit(client, surface, buffers[1], new DamageBox(0, 0, 0, 0), busy);
        Assert.Equal(2L * BufferBytes, copied.Total);

        var perFrame = new List<long>();
        for (int frame = 0; frame < Frames; frame++)
        {
            int index = frame % 2;
            uint buffer = buffers[index];
            WaitForRelease(client, buffer, busy);
            // This frame's square, and the previous frame's, which this buffer has not seen.
            for (int square = Math.Max(0, frame - 1); square <= frame; square++) Paint(pool, index, SquareAt(square), Colour(square));
            long before = copied.Total;
            Commit(client, surface, buffer, SquareAt(frame), busy);
            perFrame.Add(copied.Total - before);
        }
        output.WriteLine($"bytes copied per frame: {string.Join(", ", perFrame)} (one square is {Square * Square * 4} bytes)");
        Assert.All(perFrame, bytes => Assert.InRange(bytes, Square * Square * 4, 2 * Square * Square * 4));
        // With host-visible memory nothing is transferred; without, exactly what was copied, so the host's copies keep the same bound.
        Assert.Equal(hostVisibleMemory ? 0 : copied.Total, transferred.Total);

        var (shot, origin) = CaptureWindow(weston, client);
        for (int square = 0; square < Frames; square++)
        {
            var box = SquareAt(square);
            for (int y = box.Y; y < box.Y + box.Height; y += 7)
                for (int x = box.X; x < box.X + box.Width; x += 7)
                    if (OnScreen(shot, origin, x, y)) Assert.Equal(Colour(square), shot[origin.X + x, origin.Y + y]);
        }
        int checkedPattern = 0;
        for (int y = 0; y < Height; y += 37)
            for (int x = 0; x < Width; x += 41)
                if (OnScreen(shot, origin, x, y) && !InAnySquare(x, y))
                {
                    Assert.Equal(Pattern(x, y), shot[origin.X + x, origin.Y + y]);
                    checkedPattern++;
                }
        Assert.True(checkedPattern > 100, $"only {checkedPattern} pattern pixels were on the output");
    }

    private readonly record struct DamageBox(int X, int Y, int Width, int Height);

    private static DamageBox SquareAt(int index) => new(100 + index * 150, 300 + index * 40, Square, Square);

    private static bool InAnySquare(int x, int y) =>
        Enumerable.Range(0, Frames).Select(SquareAt).Any(box => x >= box.X && x < box.X + box.Width && y >= box.Y && y < box.Y + box.Height);

    /// <summary>Every pixel of the window is different: its colour says where in the window it is.</summary>
    private static uint Pattern(int x, int y) => (uint)(x << 12 | y) & 0xFFFFFF;

    private static uint Colour(int square) => 0xFF0000u | (uint)(square * 20) << 8 | 0x33;

    /// <summary>weston's panel, translucent, covers the output's top rows: a window placed under it is checked below it only.</summary>
    private const int PanelHeight = 40;

    private static bool OnScreen(Screenshot shot, (int X, int Y) origin, int x, int y) =>
        origin.X + x >= 0 && origin.X + x < shot.Width && origin.Y + y >= PanelHeight && origin.Y + y < shot.Height;

    private static void Paint(MemoryMapping pool, int buffer, DamageBox box, uint colour)
    {
        for (int y = box.Y; y < box.Y + box.Height; y++)
        {
            var row = pool.GetSpan((long)buffer * BufferBytes + (long)y * Stride + 4L * box.X, 4 * box.Width);
            for (int x = 0; x < box.Width; x++) BitConverter.TryWriteBytes(row[(4 * x)..], colour);
        }
    }

    private static void Commit(SocketWaylandClient client, uint surface, uint buffer, DamageBox damage, HashSet<uint> busy)
    {
        var writer = client.Requests();
        WlSurface.AttachRequest.Encode(ref writer, surface, buffer, 0, 0);
        if (damage.Width > 0) WlSurface.DamageBufferRequest.Encode(ref writer, surface, damage.X, damage.Y, damage.Width, damage.Height);
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written);
        busy.Add(buffer);
        Released(client.Roundtrip(), busy);
    }

    private static void WaitForRelease(SocketWaylandClient client, uint buffer, HashSet<uint> busy)
    {
        if (!busy.Contains(buffer)) return;
        Released(client.DispatchUntil(e => e.ObjectId == buffer && e.Is(WlBuffer.Interface, WlBuffer.Events.Release)), busy);
    }

    private static void Released(List<WaylandTestEvent<FileDescriptor>> events, HashSet<uint> busy)
    {
        foreach (var e in events.Where(e => e.Is(WlBuffer.Interface, WlBuffer.Events.Release))) busy.Remove(e.ObjectId);
    }

    /// <summary>The window's origin on the output, read from the pattern pixel at the output's centre.</summary>
    private static (Screenshot Shot, (int X, int Y) Origin) CaptureWindow(HeadlessWeston weston, SocketWaylandClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var shot = WestonOutputCapture.Capture(weston);
            int cx = shot.Width / 2, cy = shot.Height / 2;
            uint centre = shot[cx, cy];
            int x = (int)(centre >> 12), y = (int)(centre & 0xFFF);
            // Checked away from the centre too: while desktop-shell's map animation scales the window,
            // the centre alone would give a wrong origin.
            var origin = (X: cx - x, Y: cy - y);
            bool settled = x < Width && y < Height && new[] { (-300, -200), (300, 200), (-1, 0) }.All(offset =>
                x + offset.Item1 is >= 0 and < Width && y + offset.Item2 is >= 0 and < Height
                && shot[cx + offset.Item1, cy + offset.Item2] == Pattern(x + offset.Item1, y + offset.Item2));
            if (settled) return (shot, origin);
            Assert.True(DateTime.UtcNow < deadline, "the window never showed at the output's centre");
            client.Roundtrip();
            Thread.Sleep(100);
        }
    }

    private static FileDescriptor Duplicate(FileDescriptor fd) => new(Tmds.Linux.LibC.fcntl(fd.Fd, Tmds.Linux.LibC.F_DUPFD_CLOEXEC, 0));
}

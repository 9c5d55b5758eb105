using System.Buffers.Binary;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A window whose pixels live in a HOST3D blob made from an image template, shown by a real weston
/// through the bridge and found again in a screenshot of the headless output.
/// </summary>
public sealed class WestonShmWindowTests(ITestOutputHelper output)
{
    private const uint Argb8888Fourcc = 0x34325241;
    private const uint Argb8888ShmFormat = 0; // wl_shm.format argb8888 is 0, not its fourcc
    private const int Size = 256;
    private const uint PatternBlue = 0x5A;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(GuestTransport.InProcess)]
    [InlineData(GuestTransport.Socket)]
    public void A_256_by_256_argb8888_window_in_a_host_blob_appears_on_the_output(GuestTransport transport)
    {
        using var weston = HeadlessWeston.Start(width: 640, height: 480, debug: true);
        var guest = CrossDomainGuests.Open(transport, weston.SocketPath, out var owner);
        using var _ = owner;
        var client = new BridgedWaylandClient(guest);
        client.GetGlobals();
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        uint shm = client.Bind(WlShm.Interface, 1);
        uint wmBase = client.Bind(XdgWmBase.Interface, 1);

        // The buffer: a template, a HOST3D blob of it, mapped, filled by "the guest".
        var requirements = guest.GetImageRequirements(Size, Size, Argb8888Fourcc);
        int stride = (int)requirements.Strides[0];
        var blob = guest.CreateMappedBuffer(requirements.BlobId, requirements.Size);
        var pixels = blob.Bytes((int)requirements.Size);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                BinaryPrimitives.WriteUInt32LittleEndian(pixels[(y * stride + 4 * x)..], 0xFF00_0000 | Pattern(x, y));

        // Pool (with the blob as its fd), buffer, surface and toplevel, in one SEND.
        uint pool = client.NewObject(WlShmPool.Interface);
        uint buffer = client.NewObject(WlBuffer.Interface);
        uint surface = client.NewObject(WlSurface.Interface, 4);
        uint xdgSurface = client.NewObject(XdgSurface.Interface);
        uint toplevel = client.NewObject(XdgToplevel.Interface);
        var writer = client.Requests();
        WlShm.CreatePoolRequest.Encode(ref writer, shm, pool, (int)requirements.Size);
        WlShmPool.CreateBufferRequest.Encode(ref writer, pool, buffer, 0, Size, Size, stride, Argb8888ShmFormat);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, xdgSurface, surface);
        XdgSurface.GetToplevelRequest.Encode(ref writer, xdgSurface, toplevel);
        XdgToplevel.SetTitleRequest.Encode(ref writer, toplevel, "crossdomain");
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written, (blob.ResourceId, IdentifierType.VirtgpuBlob));

        var configure = client.DispatchUntil(e => e.Is(XdgSurface.Interface, XdgSurface.Events.Configure)).Last();
        Assert.Equal(WireError.None, XdgSurface.ConfigureEvent.TryDecode(configure.Body, [], out var configured));
        writer = client.Requests();
        XdgSurface.AckConfigureRequest.Encode(ref writer, xdgSurface, configured.Serial);
        WlSurface.AttachRequest.Encode(ref writer, surface, buffer, 0, 0);
        WlSurface.DamageRequest.Encode(ref writer, surface, 0, 0, Size, Size);
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written);
        client.Roundtrip();

        var (shot, origin) = CaptureUntilTheWindowShows(weston, client);
        output.WriteLine($"window at {origin} on a {shot.Width}x{shot.Height} output; RECEIVE sizes: {string.Join(", ", client.ReceiveSizes)}");
        int wrong = 0;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
                if (shot[origin.X + x, origin.Y + y] != Pattern(x, y)) wrong++;
        Assert.Equal(0, wrong);
    }

    /// <summary>Red is the column, green the row: every pixel of the window is different, so its corner says where it is.</summary>
    private static uint Pattern(int x, int y) => (uint)x << 16 | (uint)y << 8 | PatternBlue;

    /// <summary>
    /// Screenshots until the window's top-left pixel, and its opposite corner where it should be,
    /// are on the output. Where desktop-shell puts a window smaller than the output is its choice,
    /// and the first frames may still be fading in, so the test looks rather than assumes.
    /// </summary>
    private static (Screenshot Shot, (int X, int Y) Origin) CaptureUntilTheWindowShows(HeadlessWeston weston, BridgedWaylandClient client)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var shot = WestonOutputCapture.Capture(weston);
            foreach (var (x, y) in shot.Find(Pattern(0, 0)))
            {
                if (x + Size <= shot.Width && y + Size <= shot.Height && shot[x + Size - 1, y + Size - 1] == Pattern(Size - 1, Size - 1))
                    return (shot, (x, y));
            }
            Assert.True(DateTime.UtcNow < deadline, "the window never appeared whole on the output");
            // Keep the bridged client responsive (pings) while waiting.
            client.Roundtrip();
            Thread.Sleep(100);
        }
    }
}

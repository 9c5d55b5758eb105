using System.Buffers.Binary;
using CrossDomain.Interop;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Captures a weston output through <c>weston_screenshooter</c> (TESTING.md), as a direct client
/// of weston made of our codec: it binds wl_output, wl_shm and the screenshooter, lends weston a
/// memfd buffer of the output's size, and reads the pixels once <c>done</c> comes. weston must run
/// with --debug, or it disconnects a client that binds the screenshooter.
/// </summary>
public static class WestonOutputCapture
{
    private const uint XrgbShmFormat = 1; // wl_shm.format xrgb8888
    private const uint CurrentModeFlag = 0x1; // wl_output.mode current

    public static Screenshot Capture(HeadlessWeston weston)
    {
        using var client = new SocketWaylandClient(weston.Connect()) { PeerName = "weston (is it running with --debug?)" };
        client.GetGlobals();
        uint output = client.Bind(WlOutput.Interface, 2);
        uint shm = client.Bind(WlShm.Interface, 1);
        uint screenshooter = client.Bind(WestonScreenshooter.Interface, 1);
        var (width, height) = CurrentMode(client.Roundtrip(), output);
        Assert.True(width > 0 && height > 0, "the output announced no current mode");

        int stride = width * 4;
        int size = stride * height;
        using var memory = MemFd.Create("screenshot", size);
        uint pool = client.NewObject(WlShmPool.Interface);
        uint buffer = client.NewObject(WlBuffer.Interface);
        var writer = client.Requests();
        WlShm.CreatePoolRequest.Encode(ref writer, shm, pool, size);
        client.Send(writer.Written, memory.Duplicate());
        writer = client.Requests();
        WlShmPool.CreateBufferRequest.Encode(ref writer, pool, buffer, 0, width, height, stride, XrgbShmFormat);
        writer.Begin(screenshooter, WestonScreenshooter.Requests.Shoot);
        writer.WriteObject(output);
        writer.WriteObject(buffer);
        writer.End();
        client.Send(writer.Written);
        client.DispatchUntil(e => e.Is(WestonScreenshooter.Interface, WestonScreenshooter.Events.Done));

        using var mapping = MemoryMapping.Map(memory, size, writable: false);
        var pixels = new uint[width * height];
        var bytes = mapping.Span;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]) & 0x00FF_FFFF;
        return new Screenshot(width, height, pixels);
    }

    private static (int Width, int Height) CurrentMode(List<WaylandTestEvent<FileDescriptor>> events, uint output)
    {
        (int Width, int Height) current = default;
        foreach (var mode in events.Where(e => e.ObjectId == output && e.Opcode == WlOutput.Events.Mode))
        {
            var reader = new WireReader(mode.Body);
            Assert.True(reader.TryReadUint(out uint flags) & reader.TryReadInt(out int width) & reader.TryReadInt(out int height));
            if ((flags & CurrentModeFlag) != 0) current = (width, height);
        }
        return current;
    }
}

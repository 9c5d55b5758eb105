using CrossDomain.Interop;
using CrossDomain.Tests.CrossDomain;
using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// One fuzz target per direction, seeded so a failure can be replayed: mangled request streams
/// from clients (against a real weston), and mangled event streams from the host compositor (a
/// stand-in that sends what the test makes up). The proxy must cut off only the connection that
/// sent the garbage, and go on serving.
/// </summary>
public sealed class ProxyFuzzTests(ITestOutputHelper output)
{
    private const int Rounds = 40;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Mangled_requests_cost_only_the_sending_client(int seed)
    {
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        var random = new Random(seed);
        int cutOff = 0;
        for (int round = 0; round < Rounds; round++)
        {
            using var socket = bridge.Connect();
            byte[] stream = Mangle(ValidRequests(), random);
            FileDescriptor[] fds = random.Next(3) == 0 ? [MemFd.Create("fuzz", random.Next(0, 3) * 4096)] : [];
            socket.Send(stream, fds);
            foreach (var fd in fds) fd.Dispose();
            if (ReadsUntilClosed(socket, TimeSpan.FromMilliseconds(200))) cutOff++;
        }
        bridge.WaitForClientCount(0, Timeout);
        output.WriteLine($"seed {seed}: {cutOff} of {Rounds} mangled clients were cut off before they hung up");

        using var bystander = new SocketWaylandClient(bridge.Connect());
        Assert.Contains(bystander.GetGlobals(), global => global.Interface == "wl_compositor");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Mangled_events_from_the_host_cost_only_that_client(int seed)
    {
        using var compositor = new StandInCompositor();
        using var bridge = BridgedProxy.Start(compositor.SocketPath);
        var random = new Random(seed);
        for (int round = 0; round < Rounds; round++)
        {
            using var client = new SocketWaylandClient(bridge.Connect()) { ExpectProtocolError = true };
            bridge.WaitForClientCount(1, Timeout);
            compositor.AcceptConnection();
            var writer = client.Requests();
            WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, client.NewObject(WlRegistry.Interface));
            client.Send(writer.Written);
            byte[] events = Mangle(PlausibleEvents(), random);
            FileDescriptor[] fds = random.Next(3) == 0 ? [MemFd.Create("fuzz", 4096)] : [];
            compositor.SendToGuest(events, fds);
            foreach (var fd in fds) fd.Dispose();
            compositor.CloseConnection();
            // The host's hang-up ends the client either way: after whatever events were well formed,
            // or at once at the first that was not.
            client.WaitForDisconnect();
            bridge.WaitForClientCount(0, Timeout);
        }
    }

    private static byte[] ValidRequests()
    {
        var buffer = new byte[256];
        var writer = new WireWriter(buffer);
        WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, 2);
        WlRegistry.BindRequest.Encode(ref writer, 2, 1, "wl_compositor", 4, 3);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, 3, 4);
        WlSurface.DamageRequest.Encode(ref writer, 4, 0, 0, 10, 10);
        WlSurface.CommitRequest.Encode(ref writer, 4);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, 5);
        return writer.Written.ToArray();
    }

    private static byte[] PlausibleEvents()
    {
        var buffer = new byte[256];
        var writer = new WireWriter(buffer);
        WlRegistry.GlobalEvent.Encode(ref writer, 2, 1, "wl_compositor", 4);
        WlRegistry.GlobalEvent.Encode(ref writer, 2, 2, "wl_shm", 1);
        WlRegistry.GlobalRemoveEvent.Encode(ref writer, 2, 2);
        WlDisplay.DeleteIdEvent.Encode(ref writer, WaylandObjectMap.DisplayId, 2);
        return writer.Written.ToArray();
    }

    /// <summary>Flipped bytes, a cut, or random bytes appended: the usual ways a stream goes wrong.</summary>
    private static byte[] Mangle(byte[] stream, Random random)
    {
        var mangled = stream.ToList();
        switch (random.Next(4))
        {
            case 0:
                for (int i = 0; i < 1 + random.Next(4); i++) mangled[random.Next(mangled.Count)] = (byte)random.Next(256);
                break;
            case 1:
                mangled.RemoveRange(random.Next(mangled.Count), mangled.Count - random.Next(mangled.Count) > 0 ? 1 : 0);
                mangled = mangled.Take(random.Next(1, mangled.Count)).ToList();
                break;
            case 2:
                var tail = new byte[random.Next(1, 64)];
                random.NextBytes(tail);
                mangled.AddRange(tail);
                break;
            default:
                // A header of a plausible size with a random object and opcode.
                mangled.AddRange(BitConverter.GetBytes((uint)random.Next(0, 8)));
                mangled.AddRange(BitConverter.GetBytes((uint)(random.Next(0, 12) | 12 << 16)));
                mangled.AddRange(new byte[4]);
                break;
        }
        return mangled.ToArray();
    }

    /// <summary>Reads and drops what comes; true when the proxy closed the connection within the time.</summary>
    private static unsafe bool ReadsUntilClosed(UnixSocket socket, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        var buffer = new byte[4096];
        var fds = new List<FileDescriptor>();
        while (DateTime.UtcNow < deadline)
        {
            var poll = new Tmds.Linux.pollfd { fd = socket.Fd, events = Tmds.Linux.LibC.POLLIN };
            Tmds.Linux.LibC.poll(&poll, 1, 20);
            var result = socket.Receive(buffer, fds);
            foreach (var fd in fds) fd.Dispose();
            fds.Clear();
            if (result.Status is IoStatus.EndOfStream || result.IsError) return true;
        }
        return false;
    }
}

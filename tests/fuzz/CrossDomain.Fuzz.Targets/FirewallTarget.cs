using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Wayland.Policy;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// One context's Wayland stream through the host's firewall, both ways, cut wherever the input
/// says. An input is a list of chunks: a byte whose low bit says which way (0: the guest's
/// requests, 1: the compositor's events), then a record of bytes. The stream ends at the first
/// violation, as the context would. What passes, each way, must read as a stream of messages with
/// headers a peer may send: a message the filter does not read may pass as its bytes come, so the
/// last one may be unfinished, but never its header.
/// <para>
/// The limits are set low enough for an input to reach each of them (surfaces, pool and buffer
/// sizes, surface sizes, MIME offers), and the request rate's clock moves a millisecond a chunk, so
/// that a run is the same every time and the bucket both empties and refills.
/// </para>
/// </summary>
public sealed class FirewallTarget : FuzzTarget
{
    private const int MaxChunks = 64;

    private static readonly FirewallPolicy Policy = new(new WaylandFirewallOptions
    {
        Globals = new Dictionary<string, uint>(DefaultGlobals.AllowList) { [ZwpLinuxDmabufV1.Name] = 4 },
        MaxSurfaces = 4,
        MaxShmPoolMib = 1,
        MaxBufferSize = 256,
        MaxSurfaceSize = 256,
        MaxRequestsPerSecond = 1000,
        MaxRequestBurst = 256,
        MaxMimeTypes = 4,
        MaxMimeTypeLength = 32,
    });

    public override string Name => "firewall";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var clock = new ChunkClock();
        var filter = new WaylandStreamFilter(Policy, clock);
        var reader = new FuzzInput(input);
        var events = new List<byte>();
        var requests = new List<byte>();
        var taken = new byte[WaylandStreamFilter.MaxReadEventSize + ushort.MaxValue];
        for (int i = 0; i < MaxChunks && !reader.IsEmpty; i++)
        {
            bool fromCompositor = (reader.Byte() & 1) != 0;
            var chunk = reader.Record();
            clock.Tick();
            if (fromCompositor)
            {
                // As the channel does: received behind the bytes the filter holds, judged in place.
                if (filter.HeldEventLength + chunk.Length > taken.Length) break;
                chunk.CopyTo(taken.AsSpan(filter.HeldEventLength));
                if (filter.FilterEvents(taken, chunk.Length, out int passed) is not null) break;
                events.AddRange(taken.AsSpan(0, passed));
            }
            else
            {
                if (filter.FilterRequests(chunk, out var passed) is not null) break;
                requests.AddRange(passed);
            }
        }
        WaylandFraming.Check(requests.ToArray(), "requests");
        WaylandFraming.Check(events.ToArray(), "events");
    }

    public override IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        var buffer = new byte[4096];
        byte[] Encode(Encoder encode)
        {
            var writer = new WireWriter(buffer);
            encode(ref writer);
            return writer.Written.ToArray();
        }
        var getRegistry = Encode((ref WireWriter writer) => WlDisplay.GetRegistryRequest.Encode(ref writer, 1, 2));
        var globals = Encode((ref WireWriter writer) =>
        {
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 1, "wl_compositor", 6);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 2, "xdg_wm_base", 6);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 3, "weston_screenshooter", 1);
        });
        var window = Encode((ref WireWriter writer) =>
        {
            WlRegistry.BindRequest.Encode(ref writer, 2, 1, "wl_compositor", 4, 3);
            WlRegistry.BindRequest.Encode(ref writer, 2, 2, "xdg_wm_base", 1, 4);
            WlCompositor.CreateSurfaceRequest.Encode(ref writer, 3, 5);
            XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, 4, 6, 5);
            XdgSurface.GetToplevelRequest.Encode(ref writer, 6, 7);
            XdgToplevel.SetTitleRequest.Encode(ref writer, 7, "a title");
            XdgToplevel.SetAppIdRequest.Encode(ref writer, 7, "org.example.app");
        });
        var limitGlobals = Encode((ref WireWriter writer) =>
        {
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 1, "wl_compositor", 6);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 4, "wl_shm", 1);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 5, "wp_viewporter", 1);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 6, "wl_data_device_manager", 3);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 7, "zwp_primary_selection_device_manager_v1", 1);
            WlRegistry.GlobalEvent.Encode(ref writer, 2, 8, "zwp_linux_dmabuf_v1", 4);
        });
        var limits = Encode((ref WireWriter writer) =>
        {
            WlRegistry.BindRequest.Encode(ref writer, 2, 1, "wl_compositor", 4, 3);
            WlRegistry.BindRequest.Encode(ref writer, 2, 4, "wl_shm", 1, 10);
            WlRegistry.BindRequest.Encode(ref writer, 2, 5, "wp_viewporter", 1, 11);
            WlRegistry.BindRequest.Encode(ref writer, 2, 6, "wl_data_device_manager", 3, 12);
            WlRegistry.BindRequest.Encode(ref writer, 2, 7, "zwp_primary_selection_device_manager_v1", 1, 13);
            WlRegistry.BindRequest.Encode(ref writer, 2, 8, "zwp_linux_dmabuf_v1", 4, 14);
            WlCompositor.CreateSurfaceRequest.Encode(ref writer, 3, 20);
            // wl_shm.create_pool(new id 21, fd, 64 KiB), a buffer in it, a larger pool.
            writer.Begin(10, WlShm.Requests.CreatePool);
            writer.WriteNewId(21);
            writer.WriteInt(1 << 16);
            writer.End();
            WlShmPool.CreateBufferRequest.Encode(ref writer, 21, 22, 0, 64, 64, 256, 0);
            WlShmPool.ResizeRequest.Encode(ref writer, 21, 1 << 17);
            writer.Begin(11, WpViewporter.Requests.GetViewport);
            writer.WriteNewId(23);
            writer.WriteObject(20);
            writer.End();
            writer.Begin(23, WpViewport.Requests.SetDestination);
            writer.WriteInt(200);
            writer.WriteInt(100);
            writer.End();
            writer.Begin(12, WlDataDeviceManager.Requests.CreateDataSource);
            writer.WriteNewId(24);
            writer.End();
            writer.Begin(24, WlDataSource.Requests.Offer);
            writer.WriteString("text/plain;charset=utf-8");
            writer.End();
            writer.Begin(14, ZwpLinuxDmabufV1.Requests.CreateParams);
            writer.WriteNewId(25);
            writer.End();
            writer.Begin(25, ZwpLinuxBufferParamsV1.Requests.Create);
            writer.WriteInt(64);
            writer.WriteInt(64);
            writer.WriteUint(0x34325241);
            writer.WriteUint(0);
            writer.End();
            writer.Begin(20, WlSurface.Requests.Destroy);
            writer.End();
        });
        var denied = Encode((ref WireWriter writer) => WlRegistry.BindRequest.Encode(ref writer, 2, 3, "weston_screenshooter", 1, 8));
        byte[] Program(params (int Way, byte[] Bytes)[] chunks)
        {
            var writer = new FuzzInputWriter();
            foreach (var (way, bytes) in chunks) writer.Byte((byte)way).Record(bytes);
            return writer.ToArray();
        }
        yield return ("window", Program((0, getRegistry), (1, globals), (0, window)));
        yield return ("denied-bind", Program((0, getRegistry), (1, globals), (0, denied)));
        yield return ("cut", Program((0, getRegistry), (1, globals[..10]), (1, globals[10..]), (0, window[..30]), (0, window[30..])));
        yield return ("limits", Program((0, getRegistry), (1, limitGlobals), (0, limits[..100]), (0, limits[100..])));
    }

    /// <summary>Monotonic time that moves a millisecond each chunk: a run never depends on how fast it went.</summary>
    private sealed class ChunkClock : TimeProvider
    {
        private long _milliseconds;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => _milliseconds;

        public void Tick() => _milliseconds++;
    }

    private delegate void Encoder(ref WireWriter writer);
}

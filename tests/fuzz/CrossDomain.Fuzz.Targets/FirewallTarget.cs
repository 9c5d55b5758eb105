using CrossDomain.Host.CrossDomain.Firewall;
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
/// </summary>
public sealed class FirewallTarget : FuzzTarget
{
    private const int MaxChunks = 64;

    public override string Name => "firewall";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions()));
        var reader = new FuzzInput(input);
        var events = new List<byte>();
        var requests = new List<byte>();
        var taken = new byte[WaylandStreamFilter.MaxReadEventSize + ushort.MaxValue];
        for (int i = 0; i < MaxChunks && !reader.IsEmpty; i++)
        {
            bool fromCompositor = (reader.Byte() & 1) != 0;
            var chunk = reader.Record();
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
    }

    private delegate void Encoder(ref WireWriter writer);
}

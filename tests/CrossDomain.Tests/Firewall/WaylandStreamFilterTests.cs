using System.Text;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Firewall;

/// <summary>The per-context filter on hand-built streams: what passes, what is rewritten, what breaks a rule.</summary>
public sealed class WaylandStreamFilterTests
{
    private const uint Registry = 2;
    private const uint Compositor = 1;
    private const uint Screenshooter = 2;
    private const uint WmBase = 3;

    private readonly WaylandStreamFilter _filter = new(new FirewallPolicy(new WaylandFirewallOptions()));

    /// <summary>A registry, and the globals a weston with --debug offers: one the guest may have, one it may not, xdg_wm_base.</summary>
    private byte[] AdvertisedEvents()
    {
        Assert.Null(_filter.FilterRequests(Encode((ref WireWriter w) => WlDisplay.GetRegistryRequest.Encode(ref w, 1, Registry)), out _));
        var events = Encode((ref WireWriter w) =>
        {
            WlRegistry.GlobalEvent.Encode(ref w, Registry, Compositor, "wl_compositor", 6);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, Screenshooter, "weston_screenshooter", 1);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, WmBase, "xdg_wm_base", 6);
        });
        var delivered = new List<byte>();
        Assert.Null(FilterEvents(_filter, events, delivered));
        return delivered.ToArray();
    }

    [Fact]
    public void Globals_of_denied_interfaces_are_dropped_and_the_others_capped()
    {
        var seen = Decode(AdvertisedEvents());
        Assert.Equal([(Compositor, "wl_compositor", 5u), (WmBase, "xdg_wm_base", 5u)], seen);
    }

    [Fact]
    public void A_bind_of_an_allowed_advertised_global_passes_byte_for_byte()
    {
        AdvertisedEvents();
        var bind = Encode((ref WireWriter w) => WlRegistry.BindRequest.Encode(ref w, Registry, Compositor, "wl_compositor", 5, 10));
        Assert.Null(_filter.FilterRequests(bind, out var output));
        Assert.Equal(bind, output.ToArray());
    }

    [Theory]
    [InlineData(Screenshooter, "weston_screenshooter", 1u, FirewallRule.GlobalNotAllowed)]
    [InlineData(99u, "wl_compositor", 1u, FirewallRule.GlobalNotAdvertised)]
    [InlineData(Compositor, "wl_compositor", 6u, FirewallRule.VersionAboveCap)]
    [InlineData(Compositor, "wl_compositor", 0u, FirewallRule.VersionAboveCap)]
    [InlineData(Compositor, "wl_shm", 1u, FirewallRule.InterfaceMismatch)]
    [InlineData(Compositor, "weston_debug_v1", 1u, FirewallRule.GlobalNotAllowed)]
    public void A_bind_that_breaks_a_rule_is_a_violation_and_nothing_passes(uint name, string interfaceName, uint version, FirewallRule rule)
    {
        AdvertisedEvents();
        var requests = Encode((ref WireWriter w) =>
        {
            WlDisplay.SyncRequest.Encode(ref w, 1, 9);
            WlRegistry.BindRequest.Encode(ref w, Registry, name, interfaceName, version, 10);
        });
        var violation = _filter.FilterRequests(requests, out var output);
        Assert.NotNull(violation);
        Assert.Equal(rule, violation.Rule);
        Assert.Contains($"wl_registry.bind(name {name}, \"{interfaceName}\", version {version}", violation.Message);
        Assert.True(output.IsEmpty);
    }

    [Fact]
    public void A_removed_global_is_forgotten_and_the_removal_of_a_hidden_one_is_hidden()
    {
        AdvertisedEvents();
        var delivered = new List<byte>();
        Assert.Null(FilterEvents(_filter, Encode((ref WireWriter w) =>
        {
            WlRegistry.GlobalRemoveEvent.Encode(ref w, Registry, Screenshooter);
            WlRegistry.GlobalRemoveEvent.Encode(ref w, Registry, Compositor);
        }), delivered));
        var passed = delivered.ToArray();
        Assert.Equal(Encode((ref WireWriter w) => WlRegistry.GlobalRemoveEvent.Encode(ref w, Registry, Compositor)), passed);
        var bind = Encode((ref WireWriter w) => WlRegistry.BindRequest.Encode(ref w, Registry, Compositor, "wl_compositor", 1, 10));
        Assert.Equal(FirewallRule.GlobalNotAdvertised, _filter.FilterRequests(bind, out _)?.Rule);
    }

    [Fact]
    public void Titles_and_app_ids_are_rewritten_with_new_sizes_and_padding()
    {
        AdvertisedEvents();
        var requests = WindowRequests("Bank", "org.example.Bank");
        Assert.Null(_filter.FilterRequests(requests, out var output));
        var messages = Split(output.ToArray());
        var title = messages.Single(m => m.ObjectId == 12 && m.Opcode == XdgToplevel.Requests.SetTitle);
        var appId = messages.Single(m => m.ObjectId == 12 && m.Opcode == XdgToplevel.Requests.SetAppId);

        Assert.Equal(WireError.None, XdgToplevel.SetTitleRequest.TryDecode(title.Body, [], out var setTitle));
        Assert.Equal("[guest] Bank", Encoding.UTF8.GetString(setTitle.Title));
        Assert.Equal(Encode((ref WireWriter w) => XdgToplevel.SetTitleRequest.Encode(ref w, 12, "[guest] Bank")), title.Whole);
        Assert.Equal(WireError.None, XdgToplevel.SetAppIdRequest.TryDecode(appId.Body, [], out var setAppId));
        Assert.Equal("guest.org.example.Bank", Encoding.UTF8.GetString(setAppId.AppId));
        Assert.Equal(Encode((ref WireWriter w) => XdgToplevel.SetAppIdRequest.Encode(ref w, 12, "guest.org.example.Bank")), appId.Whole);
        // Everything else is as the guest wrote it.
        Assert.Equal(Split(requests).Where(m => m.Opcode is not (XdgToplevel.Requests.SetTitle or XdgToplevel.Requests.SetAppId) || m.ObjectId != 12).Select(m => m.Whole),
            messages.Where(m => m.Opcode is not (XdgToplevel.Requests.SetTitle or XdgToplevel.Requests.SetAppId) || m.ObjectId != 12).Select(m => m.Whole));
    }

    [Fact]
    public void A_title_too_long_after_rewriting_is_cut_where_a_character_begins()
    {
        AdvertisedEvents();
        string longTitle = string.Concat(Enumerable.Repeat("é", 2038)); // 4076 bytes: the longest a message holds, less 7
        var requests = WindowRequests(longTitle, "a");
        Assert.Null(_filter.FilterRequests(requests, out var output));
        var title = Split(output.ToArray()).Single(m => m.ObjectId == 12 && m.Opcode == XdgToplevel.Requests.SetTitle);
        Assert.True(title.Whole.Length <= 4096);
        Assert.Equal(WireError.None, XdgToplevel.SetTitleRequest.TryDecode(title.Body, [], out var setTitle));
        string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(setTitle.Title);
        Assert.StartsWith("[guest] éé", text);
        Assert.True(setTitle.Title.Length is > 4076 and <= 4083, $"{setTitle.Title.Length} bytes");
    }

    [Fact]
    public void A_destroyed_toplevel_is_forgotten()
    {
        AdvertisedEvents();
        Assert.Null(_filter.FilterRequests(WindowRequests("a", "b"), out _));
        var afterDestroy = Encode((ref WireWriter w) =>
        {
            w.Begin(12, 0);
            w.End();
            // The id, reused for another object, whose opcode 2 takes a string: not a title any more.
            XdgToplevel.SetTitleRequest.Encode(ref w, 12, "Bank");
        });
        Assert.Null(_filter.FilterRequests(afterDestroy, out var output));
        Assert.Equal(afterDestroy, output.ToArray());
    }

    [Fact]
    public void A_stream_cut_at_every_byte_gives_what_it_gives_whole()
    {
        var firstRequests = Encode((ref WireWriter w) => WlDisplay.GetRegistryRequest.Encode(ref w, 1, Registry));
        var events = Encode((ref WireWriter w) =>
        {
            WlRegistry.GlobalEvent.Encode(ref w, Registry, Compositor, "wl_compositor", 6);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, Screenshooter, "weston_screenshooter", 1);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, WmBase, "xdg_wm_base", 6);
            WlDisplay.DeleteIdEvent.Encode(ref w, 1, 7);
        });
        var requests = WindowRequests("Bank", "org.example.Bank");

        var (wholeEvents, wholeRequests) = Run(firstRequests, events, requests, eventCut: events.Length, requestCut: requests.Length);
        Assert.NotEmpty(wholeEvents);
        for (int cut = 0; cut <= Math.Max(events.Length, requests.Length); cut++)
        {
            var (cutEvents, cutRequests) = Run(firstRequests, events, requests, Math.Min(cut, events.Length), Math.Min(cut, requests.Length));
            Assert.Equal(wholeEvents, cutEvents);
            Assert.Equal(wholeRequests, cutRequests);
        }

        static (byte[] Events, byte[] Requests) Run(byte[] first, byte[] events, byte[] requests, int eventCut, int requestCut)
        {
            var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions()));
            Assert.Null(filter.FilterRequests(first, out _));
            var delivered = new List<byte>();
            Assert.Null(FilterEvents(filter, events.AsSpan(0, eventCut), delivered));
            Assert.Null(FilterEvents(filter, events.AsSpan(eventCut), delivered));
            var passedRequests = new List<byte>();
            Assert.Null(filter.FilterRequests(requests.AsSpan(0, requestCut), out var part));
            passedRequests.AddRange(part.ToArray());
            Assert.Null(filter.FilterRequests(requests.AsSpan(requestCut), out part));
            passedRequests.AddRange(part.ToArray());
            return (delivered.ToArray(), passedRequests.ToArray());
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(4100)]
    public void A_header_with_an_impossible_size_is_malformed(int size)
    {
        var message = new byte[12];
        BitConverter.TryWriteBytes(message, 5u);
        BitConverter.TryWriteBytes(message.AsSpan(4), (uint)size << 16);
        Assert.Equal(FirewallRule.MalformedMessage, _filter.FilterRequests(message, out _)?.Rule);
        Assert.Equal(FirewallRule.MalformedMessage, FilterEvents(new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions())), message, [])?.Rule);
    }

    [Fact]
    public void Past_the_object_limit_a_new_tracked_object_is_a_violation()
    {
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxTrackedObjects = 2 }));
        var requests = Encode((ref WireWriter w) =>
        {
            WlDisplay.GetRegistryRequest.Encode(ref w, 1, 2);
            WlDisplay.GetRegistryRequest.Encode(ref w, 1, 3);
            WlDisplay.GetRegistryRequest.Encode(ref w, 1, 4);
        });
        Assert.Equal(FirewallRule.TooManyObjects, filter.FilterRequests(requests, out _)?.Rule);
    }

    [Fact]
    public void A_steady_stream_allocates_nothing()
    {
        AdvertisedEvents();
        Assert.Null(_filter.FilterRequests(WindowRequests("a", "b"), out _));
        var requests = Encode((ref WireWriter w) =>
        {
            XdgToplevel.SetTitleRequest.Encode(ref w, 12, "Bank");
            WlDisplay.SyncRequest.Encode(ref w, 1, 30);
            w.Begin(11, 4); // xdg_surface.ack_configure
            w.WriteUint(5);
            w.End();
        });
        var events = Encode((ref WireWriter w) => WlDisplay.DeleteIdEvent.Encode(ref w, 1, 30));
        var sink = new byte[4096];
        for (int i = 0; i < 10; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void Step()
        {
            _filter.FilterRequests(requests.AsSpan(0, 13), out _);
            _filter.FilterRequests(requests.AsSpan(13), out _);
            events.CopyTo(sink.AsSpan(_filter.HeldEventLength));
            _filter.FilterEvents(sink, events.Length, out _);
        }
    }

    /// <summary>xdg_wm_base bound, a surface, its xdg_surface (11) and toplevel (12), then a title and an app id.</summary>
    private static byte[] WindowRequests(string title, string appId) => Encode((ref WireWriter w) =>
    {
        WlRegistry.BindRequest.Encode(ref w, Registry, WmBase, "xdg_wm_base", 5, 10);
        WlCompositor.CreateSurfaceRequest.Encode(ref w, 5, 20);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref w, 10, 11, 20);
        XdgSurface.GetToplevelRequest.Encode(ref w, 11, 12);
        XdgToplevel.SetTitleRequest.Encode(ref w, 12, title);
        XdgToplevel.SetAppIdRequest.Encode(ref w, 12, appId);
        WlSurface.CommitRequest.Encode(ref w, 20);
    });

    internal delegate void Encoder(ref WireWriter writer);

    internal static byte[] Encode(Encoder encode)
    {
        var buffer = new byte[16 * 1024];
        var writer = new WireWriter(buffer);
        encode(ref writer);
        return writer.Written.ToArray();
    }

    /// <summary>As the channel drives the filter: received behind the bytes it holds, judged in place; what passes is added to <paramref name="delivered"/>.</summary>
    internal static FirewallViolation? FilterEvents(WaylandStreamFilter filter, ReadOnlySpan<byte> events, List<byte> delivered)
    {
        var buffer = new byte[filter.HeldEventLength + events.Length];
        events.CopyTo(buffer.AsSpan(filter.HeldEventLength));
        var violation = filter.FilterEvents(buffer, events.Length, out int passed);
        delivered.AddRange(buffer.AsSpan(0, passed));
        return violation;
    }

    private sealed record Message(uint ObjectId, ushort Opcode, byte[] Whole)
    {
        public byte[] Body => Whole[MessageHeader.Length..];
    }

    private static List<Message> Split(byte[] stream)
    {
        var messages = new List<Message>();
        var rest = stream.AsSpan();
        while (!rest.IsEmpty)
        {
            Assert.True(MessageHeader.TryRead(rest, 4096, out var header, out _));
            messages.Add(new Message(header.ObjectId, header.Opcode, rest[..header.Size].ToArray()));
            rest = rest[header.Size..];
        }
        return messages;
    }

    private static List<(uint, string, uint)> Decode(byte[] events) =>
        Split(events).Select(message =>
        {
            Assert.Equal(WireError.None, WlRegistry.GlobalEvent.TryDecode(message.Body, [], out var global));
            return (global.Name, Encoding.UTF8.GetString(global.Interface), global.Version);
        }).ToList();
}

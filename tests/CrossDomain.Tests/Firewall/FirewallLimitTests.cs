using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Tests.Device;
using CrossDomain.Wayland.Policy;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using static CrossDomain.Tests.Firewall.WaylandStreamFilterTests;

namespace CrossDomain.Tests.Firewall;

/// <summary>Each of the firewall's limits on hand-built streams: a request at the limit passes, the one past it is the violation.</summary>
public sealed class FirewallLimitTests
{
    private const uint Registry = 2;
    // The globals' ids once bound, one of each kind the limits read.
    private const uint Compositor = 10;
    private const uint Shm = 11;
    private const uint Viewporter = 12;
    private const uint DataDeviceManager = 13;
    private const uint PrimarySelectionManager = 14;
    private const uint WmBase = 15;
    private const uint Dmabuf = 16;

    private static readonly (string Interface, uint Version, uint Id)[] Bound =
    [
        (WlCompositor.Name, 5, Compositor), (WlShm.Name, 1, Shm), (WpViewporter.Name, 1, Viewporter),
        (WlDataDeviceManager.Name, 3, DataDeviceManager), (ZwpPrimarySelectionDeviceManagerV1.Name, 1, PrimarySelectionManager),
        (XdgWmBase.Name, 5, WmBase), (ZwpLinuxDmabufV1.Name, 4, Dmabuf),
    ];

    /// <summary>
    /// A filter whose guest has bound every global above (dma-buf added to the allowlist), with a
    /// bucket large enough for the setup unless a test sets the rate itself.
    /// </summary>
    private static WaylandStreamFilter BoundFilter(WaylandFirewallOptions limits)
    {
        var globals = new Dictionary<string, uint>(DefaultGlobals.AllowList) { [ZwpLinuxDmabufV1.Name] = 4 };
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions
        {
            Globals = globals,
            MaxSurfaces = limits.MaxSurfaces,
            MaxShmPoolMib = limits.MaxShmPoolMib,
            MaxBufferSize = limits.MaxBufferSize,
            MaxSurfaceSize = limits.MaxSurfaceSize,
            MaxMimeTypes = limits.MaxMimeTypes,
            MaxMimeTypeLength = limits.MaxMimeTypeLength,
        }));
        Assert.Null(filter.FilterRequests(Encode((ref WireWriter w) => WlDisplay.GetRegistryRequest.Encode(ref w, 1, Registry)), out _));
        Assert.Null(FilterEvents(filter, Encode((ref WireWriter w) =>
        {
            for (int i = 0; i < Bound.Length; i++) WlRegistry.GlobalEvent.Encode(ref w, Registry, (uint)i + 1, Bound[i].Interface, Bound[i].Version);
        }), []));
        Assert.Null(filter.FilterRequests(Encode((ref WireWriter w) =>
        {
            for (int i = 0; i < Bound.Length; i++) WlRegistry.BindRequest.Encode(ref w, Registry, (uint)i + 1, Bound[i].Interface, Bound[i].Version, Bound[i].Id);
        }), out _));
        return filter;
    }

    private static void Passes(WaylandStreamFilter filter, Encoder requests)
    {
        var bytes = Encode(requests);
        Assert.Null(filter.FilterRequests(bytes, out var output));
        Assert.Equal(bytes, output.ToArray());
    }

    /// <summary>The violation, with nothing passed; its message names the request.</summary>
    private static string Breaks(WaylandStreamFilter filter, FirewallRule rule, Encoder requests)
    {
        var violation = filter.FilterRequests(Encode(requests), out var output);
        Assert.NotNull(violation);
        Assert.Equal(rule, violation.Rule);
        Assert.True(output.IsEmpty);
        return violation.Message;
    }

    [Fact]
    public void Surfaces_up_to_the_limit_pass_and_the_one_past_it_breaks_the_rule()
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxSurfaces = 3 });
        Passes(filter, (ref WireWriter w) =>
        {
            for (uint id = 20; id < 23; id++) WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, id);
        });
        string message = Breaks(filter, FirewallRule.TooManySurfaces, (ref WireWriter w) => WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 23));
        Assert.Contains("wl_compositor.create_surface(new id 23) past 3 surfaces", message);
    }

    [Fact]
    public void A_destroyed_surface_gives_its_place_back()
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxSurfaces = 2 });
        Passes(filter, (ref WireWriter w) =>
        {
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 20);
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 21);
            w.Begin(20, WlSurface.Requests.Destroy);
            w.End();
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 22);
        });
        Breaks(filter, FirewallRule.TooManySurfaces, (ref WireWriter w) => WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 23));
    }

    [Fact]
    public void A_pool_of_the_limit_passes_and_a_byte_more_breaks_the_rule_whether_created_or_resized()
    {
        const int Limit = 1 << 20;
        var filter = BoundFilter(new WaylandFirewallOptions { MaxShmPoolMib = 1 });
        Passes(filter, (ref WireWriter w) =>
        {
            CreatePool(ref w, 30, Limit / 2);
            ResizePool(ref w, 30, Limit);
        });
        string created = Breaks(filter, FirewallRule.ShmPoolTooLarge, (ref WireWriter w) => CreatePool(ref w, 31, Limit + 1));
        Assert.Contains($"wl_shm.create_pool(new id 31, size {Limit + 1}) past {Limit} bytes", created);

        filter = BoundFilter(new WaylandFirewallOptions { MaxShmPoolMib = 1 });
        Passes(filter, (ref WireWriter w) => CreatePool(ref w, 30, Limit));
        string resized = Breaks(filter, FirewallRule.ShmPoolTooLarge, (ref WireWriter w) => ResizePool(ref w, 30, Limit + 1));
        Assert.Contains($"wl_shm_pool@30.resize({Limit + 1})", resized);
    }

    [Theory]
    [InlineData(65, 64)]
    [InlineData(64, 65)]
    public void A_shm_buffer_of_the_limit_passes_and_a_pixel_more_either_way_breaks_the_rule(int width, int height)
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxBufferSize = 64 });
        Passes(filter, (ref WireWriter w) =>
        {
            CreatePool(ref w, 30, 1 << 20);
            WlShmPool.CreateBufferRequest.Encode(ref w, 30, 40, 0, 64, 64, 64 * 4, 0);
        });
        string message = Breaks(filter, FirewallRule.BufferTooLarge,
            (ref WireWriter w) => WlShmPool.CreateBufferRequest.Encode(ref w, 30, 41, 0, width, height, width * 4, 0));
        Assert.Contains($"wl_shm_pool@30.create_buffer(offset 0, {width}x{height}, stride {width * 4}) past 64 pixels a side", message);
    }

    [Theory]
    [InlineData(4, 64, 256)] // its last row ends 4 bytes past the pool
    [InlineData(-4, 64, 256)]
    [InlineData(0, 64, 63)] // a stride shorter than the row would be at one byte a pixel
    [InlineData(0, 0, 256)]
    public void A_shm_buffer_must_lie_within_its_pool(int offset, int width, int stride)
    {
        const int PoolSize = 256 * 64;
        var filter = BoundFilter(new WaylandFirewallOptions());
        Passes(filter, (ref WireWriter w) =>
        {
            CreatePool(ref w, 30, PoolSize);
            // Exactly the pool: 64 rows of 256 bytes.
            WlShmPool.CreateBufferRequest.Encode(ref w, 30, 40, 0, 64, 64, 256, 0);
        });
        string message = Breaks(filter, FirewallRule.BufferOutsidePool,
            (ref WireWriter w) => WlShmPool.CreateBufferRequest.Encode(ref w, 30, 41, offset, width, 64, stride, 0));
        Assert.Contains($"outside a pool of {PoolSize} bytes", message);
    }

    [Fact]
    public void A_resized_pool_holds_the_buffers_that_fit_its_new_size()
    {
        var filter = BoundFilter(new WaylandFirewallOptions());
        Encoder buffer = (ref WireWriter w) => WlShmPool.CreateBufferRequest.Encode(ref w, 30, 41, 4, 64, 64, 256, 0);
        Passes(filter, (ref WireWriter w) => CreatePool(ref w, 30, 256 * 64));
        Breaks(filter, FirewallRule.BufferOutsidePool, buffer);

        filter = BoundFilter(new WaylandFirewallOptions());
        Passes(filter, (ref WireWriter w) =>
        {
            CreatePool(ref w, 30, 256 * 64);
            ResizePool(ref w, 30, 256 * 64 + 4);
        });
        Passes(filter, buffer);
    }

    [Theory]
    [InlineData(false, 65, 64)]
    [InlineData(true, 64, 65)]
    public void A_dmabuf_buffer_of_the_limit_passes_and_a_pixel_more_breaks_the_rule(bool immediate, int width, int height)
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxBufferSize = 64 });
        Passes(filter, (ref WireWriter w) =>
        {
            NewIdRequest(ref w, Dmabuf, ZwpLinuxDmabufV1.Requests.CreateParams, 50);
            DmabufCreate(ref w, 50, immediate, 64, 64);
            NewIdRequest(ref w, Dmabuf, ZwpLinuxDmabufV1.Requests.CreateParams, 51);
        });
        string message = Breaks(filter, FirewallRule.BufferTooLarge, (ref WireWriter w) => DmabufCreate(ref w, 51, immediate, width, height));
        Assert.Contains($"{width}x{height}, past 64 pixels a side", message);
    }

    [Theory]
    [InlineData(101, 100)]
    [InlineData(100, 101)]
    public void A_minimum_window_size_or_viewport_destination_of_the_limit_passes_and_a_pixel_more_breaks_the_rule(int width, int height)
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxSurfaceSize = 100 });
        Passes(filter, (ref WireWriter w) =>
        {
            Toplevel(ref w);
            SizeRequest(ref w, 62, XdgToplevel.Requests.SetMinSize, 100, 100);
            // A maximum size asks the compositor for nothing: any passes.
            SizeRequest(ref w, 62, XdgToplevel.Requests.SetMaxSize, 1 << 24, 1 << 24);
            w.Begin(Viewporter, WpViewporter.Requests.GetViewport);
            w.WriteNewId(63);
            w.WriteObject(60);
            w.End();
            SizeRequest(ref w, 63, WpViewport.Requests.SetDestination, 100, 100);
            // -1, -1: the destination unset again.
            SizeRequest(ref w, 63, WpViewport.Requests.SetDestination, -1, -1);
        });
        string minimum = Breaks(filter, FirewallRule.SurfaceTooLarge, (ref WireWriter w) => SizeRequest(ref w, 62, XdgToplevel.Requests.SetMinSize, width, height));
        Assert.Contains($"xdg_toplevel.set_min_size on object 62: {width}x{height}, past 100 pixels a side", minimum);

        filter = BoundFilter(new WaylandFirewallOptions { MaxSurfaceSize = 100 });
        Passes(filter, (ref WireWriter w) =>
        {
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 60);
            w.Begin(Viewporter, WpViewporter.Requests.GetViewport);
            w.WriteNewId(63);
            w.WriteObject(60);
            w.End();
        });
        string destination = Breaks(filter, FirewallRule.SurfaceTooLarge, (ref WireWriter w) => SizeRequest(ref w, 63, WpViewport.Requests.SetDestination, width, height));
        Assert.Contains($"wp_viewport.set_destination on object 63: {width}x{height}", destination);
    }

    [Fact]
    public void A_burst_of_the_bucket_passes_and_the_request_past_it_breaks_the_rule_until_time_refills_it()
    {
        var clock = new ManualClock();
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestBurst = 6, MaxRequestsPerSecond = 4 }), clock);
        // Read requests (to the display) and unread ones (to an object the filter does not track) count alike.
        Encoder three = (ref WireWriter w) =>
        {
            WlDisplay.SyncRequest.Encode(ref w, 1, 30);
            WlSurface.CommitRequest.Encode(ref w, 40);
            WlSurface.CommitRequest.Encode(ref w, 41);
        };
        Passes(filter, three);
        Passes(filter, three);
        string message = Breaks(filter, FirewallRule.RequestRateExceeded, (ref WireWriter w) => WlSurface.CommitRequest.Encode(ref w, 40));
        Assert.Contains("a request (object 40 opcode 6) past 6 at once or 4 a second", message);

        filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestBurst = 6, MaxRequestsPerSecond = 4 }), clock);
        Passes(filter, three);
        Passes(filter, three);
        clock.Advance(TimeSpan.FromSeconds(1));
        // A second gives back 4.
        Passes(filter, (ref WireWriter w) =>
        {
            for (int i = 0; i < 4; i++) WlDisplay.SyncRequest.Encode(ref w, 1, 30);
        });
        Assert.Contains("wl_display opcode 0", Breaks(filter, FirewallRule.RequestRateExceeded, (ref WireWriter w) => WlDisplay.SyncRequest.Encode(ref w, 1, 30)));
    }

    [Fact]
    public void A_bucket_refills_no_higher_than_its_burst()
    {
        var clock = new ManualClock();
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestBurst = 3, MaxRequestsPerSecond = 1000 }), clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        Passes(filter, (ref WireWriter w) =>
        {
            for (int i = 0; i < 3; i++) WlDisplay.SyncRequest.Encode(ref w, 1, 30);
        });
        Breaks(filter, FirewallRule.RequestRateExceeded, (ref WireWriter w) => WlDisplay.SyncRequest.Encode(ref w, 1, 30));
    }

    [Fact]
    public void A_request_cut_between_sends_counts_once()
    {
        var clock = new ManualClock();
        // One the filter reads whole (held until its end comes), one it passes as its bytes come.
        var requests = Encode((ref WireWriter w) =>
        {
            WlDisplay.SyncRequest.Encode(ref w, 1, 30);
            WlSurface.DamageRequest.Encode(ref w, 40, 0, 0, 8, 8);
        });
        foreach (int cut in new[] { 2, 6, 10, 16, 20 })
        {
            var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestBurst = 2, MaxRequestsPerSecond = 1 }), clock);
            Assert.Null(filter.FilterRequests(requests.AsSpan(0, cut), out _));
            Assert.Null(filter.FilterRequests(requests.AsSpan(cut), out _));
            Assert.Equal(FirewallRule.RequestRateExceeded,
                filter.FilterRequests(Encode((ref WireWriter w) => WlDisplay.SyncRequest.Encode(ref w, 1, 31)), out _)?.Rule);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_source_may_offer_the_limit_of_mime_types_and_not_one_more(bool primarySelection)
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxMimeTypes = 3 });
        Passes(filter, (ref WireWriter w) =>
        {
            CreateSource(ref w, primarySelection, 70);
            CreateSource(ref w, primarySelection, 71);
            foreach (string type in new[] { "text/plain", "text/html", "UTF8_STRING" }) Offer(ref w, primarySelection, 70, type);
            // Each source counts its own.
            foreach (string type in new[] { "text/plain", "text/html", "UTF8_STRING" }) Offer(ref w, primarySelection, 71, type);
        });
        string message = Breaks(filter, FirewallRule.TooManyMimeTypes, (ref WireWriter w) => Offer(ref w, primarySelection, 70, "image/png"));
        Assert.Contains("on source 70: \"image/png\" past 3 MIME types", message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_mime_type_of_the_limit_passes_and_a_byte_longer_breaks_the_rule(bool primarySelection)
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxMimeTypeLength = 16 });
        Passes(filter, (ref WireWriter w) =>
        {
            CreateSource(ref w, primarySelection, 70);
            Offer(ref w, primarySelection, 70, new string('a', 16));
        });
        string message = Breaks(filter, FirewallRule.MimeTypeTooLong, (ref WireWriter w) => Offer(ref w, primarySelection, 70, new string('b', 17)));
        Assert.Contains("a MIME type of 17 bytes", message);
    }

    [Fact]
    public void A_destroyed_source_is_forgotten()
    {
        var filter = BoundFilter(new WaylandFirewallOptions { MaxMimeTypes = 1 });
        var requests = Encode((ref WireWriter w) =>
        {
            CreateSource(ref w, false, 70);
            Offer(ref w, false, 70, "text/plain");
            w.Begin(70, WlDataSource.Requests.Destroy);
            w.End();
            // The id, reused for an object the filter does not track: its opcode 0 is no offer.
            Offer(ref w, false, 70, "text/plain");
        });
        Assert.Null(filter.FilterRequests(requests, out _));
    }

    [Fact]
    public void A_transfer_may_carry_the_limit_each_way_and_not_a_byte_more()
    {
        const int Limit = 1 << 20;
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxTransferMib = 1 }));

        // Written by the guest: judged before the bytes go, counted by the pipe that takes them.
        var written = new TransferMeter();
        Assert.Null(filter.CheckGuestWrite(written, Limit));
        written.Add(Limit - 1);
        Assert.Null(filter.CheckGuestWrite(written, 1));
        written.Add(1);
        var tooLarge = filter.CheckGuestWrite(written, 1);
        Assert.Equal(FirewallRule.TransferTooLarge, tooLarge?.Rule);
        Assert.Contains($"a WRITE of 1 bytes into a transfer that carried {Limit}, past {Limit} bytes", tooLarge!.Message);

        // Read for the guest: counted as judged; what breaks the limit is not counted.
        var read = new TransferMeter();
        Assert.Null(filter.CountGuestRead(read, Limit - 10));
        Assert.Equal(FirewallRule.TransferTooLarge, filter.CountGuestRead(read, 11)?.Rule);
        Assert.Equal(Limit - 10, read.Bytes);
        Assert.Null(filter.CountGuestRead(read, 10));
        Assert.Equal(FirewallRule.TransferTooLarge, filter.CountGuestRead(read, 1)?.Rule);
    }

    [Fact]
    public void Requests_to_tracked_surfaces_pools_and_sources_allocate_nothing_in_a_steady_stream()
    {
        var filter = BoundFilter(new WaylandFirewallOptions());
        Passes(filter, (ref WireWriter w) =>
        {
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 60);
            CreatePool(ref w, 30, 1 << 20);
        });
        var frame = Encode((ref WireWriter w) =>
        {
            WlShmPool.CreateBufferRequest.Encode(ref w, 30, 41, 0, 64, 64, 256, 0);
            WlSurface.AttachRequest.Encode(ref w, 60, 41, 0, 0);
            WlSurface.DamageBufferRequest.Encode(ref w, 60, 0, 0, 64, 64);
            WlSurface.CommitRequest.Encode(ref w, 60);
            WlBuffer.DestroyRequest.Encode(ref w, 41);
            CreateSource(ref w, false, 70);
            Offer(ref w, false, 70, "text/plain");
            w.Begin(70, WlDataSource.Requests.Destroy);
            w.End();
        });
        for (int i = 0; i < 10; i++) Assert.Null(filter.FilterRequests(frame, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) filter.FilterRequests(frame, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void CreatePool(ref WireWriter w, uint id, int size)
    {
        // The fd travels out of band: the bytes hold the id and the size.
        w.Begin(Shm, WlShm.Requests.CreatePool);
        w.WriteNewId(id);
        w.WriteInt(size);
        w.End();
    }

    private static void ResizePool(ref WireWriter w, uint pool, int size) => WlShmPool.ResizeRequest.Encode(ref w, pool, size);

    private static void NewIdRequest(ref WireWriter w, uint objectId, ushort opcode, uint id)
    {
        w.Begin(objectId, opcode);
        w.WriteNewId(id);
        w.End();
    }

    private static void DmabufCreate(ref WireWriter w, uint parameters, bool immediate, int width, int height)
    {
        w.Begin(parameters, immediate ? ZwpLinuxBufferParamsV1.Requests.CreateImmed : ZwpLinuxBufferParamsV1.Requests.Create);
        if (immediate) w.WriteNewId(90);
        w.WriteInt(width);
        w.WriteInt(height);
        w.WriteUint(0x34325241); // AR24
        w.WriteUint(0);
        w.End();
    }

    private static void SizeRequest(ref WireWriter w, uint objectId, ushort opcode, int width, int height)
    {
        w.Begin(objectId, opcode);
        w.WriteInt(width);
        w.WriteInt(height);
        w.End();
    }

    /// <summary>Surface 60, its xdg_surface 61 and toplevel 62.</summary>
    private static void Toplevel(ref WireWriter w)
    {
        WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, 60);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref w, WmBase, 61, 60);
        XdgSurface.GetToplevelRequest.Encode(ref w, 61, 62);
    }

    private static void CreateSource(ref WireWriter w, bool primarySelection, uint id) =>
        NewIdRequest(ref w, primarySelection ? PrimarySelectionManager : DataDeviceManager,
            primarySelection ? ZwpPrimarySelectionDeviceManagerV1.Requests.CreateSource : WlDataDeviceManager.Requests.CreateDataSource, id);

    private static void Offer(ref WireWriter w, bool primarySelection, uint source, string mimeType)
    {
        w.Begin(source, primarySelection ? ZwpPrimarySelectionSourceV1.Requests.Offer : WlDataSource.Requests.Offer);
        w.WriteString(mimeType);
        w.End();
    }
}

using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class DisplayCommandTests : IDisposable
{
    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Display_info_has_one_enabled_scanout_of_1024x768_by_default()
    {
        var reply = _harness.SendOk(GetDisplayInfo(), CommandType.OkDisplayInfo);
        Assert.Equal(408, reply.Response.Length);
        var info = reply.Read<DisplayInfoResponse>();
        Assert.Equal(Rect(0, 0, 1024, 768), info.Modes[0].Rect);
        Assert.Equal(1u, info.Modes[0].Enabled);
        for (int i = 1; i < VirtioGpuLimits.MaxScanouts; i++) Assert.Equal(default, info.Modes[i]);
    }

    [Fact]
    public void Display_info_reports_the_configured_mode()
    {
        using var harness = new DeviceHarness(options: new VirtioGpuDeviceOptions { DisplayWidth = 1920, DisplayHeight = 1080 });
        var info = harness.SendOk(GetDisplayInfo(), CommandType.OkDisplayInfo).Read<DisplayInfoResponse>();
        Assert.Equal(Rect(0, 0, 1920, 1080), info.Modes[0].Rect);
    }

    [Fact]
    public void Edid_is_a_128_byte_block_in_a_full_size_response()
    {
        var reply = _harness.SendOk(GetEdid(0), CommandType.OkEdid);
        Assert.Equal(24 + 8 + 1024, reply.Response.Length);
        var edid = reply.Read<EdidResponse>();
        Assert.Equal(128u, edid.Size);
        ReadOnlySpan<byte> block = edid.Edid;
        Assert.Equal([0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00], block[..8].ToArray());
        Assert.True(block[128..].IndexOfAnyExcept((byte)0) < 0, "bytes past the block must be zero");
    }

    [Fact]
    public void Edid_for_a_scanout_that_does_not_exist_is_refused()
    {
        _harness.SendFails(GetEdid(1), GpuError.InvalidScanoutId);
        _harness.SendFails(GetEdid(uint.MaxValue), GpuError.InvalidScanoutId);
    }

    [Fact]
    public void Set_scanout_shows_a_rect_of_a_2d_resource_and_resource_0_disables_it()
    {
        _harness.SendOk(Create2D(7, 64, 32));
        _harness.SendOk(SetScanout(0, 7, Rect(0, 0, 64, 32)));
        Assert.Equal(new ScanoutState(7, Rect(0, 0, 64, 32)), _harness.Device.GetScanout(0));

        _harness.SendOk(SetScanout(0, 0, default));
        Assert.False(_harness.Device.GetScanout(0).IsEnabled);
    }

    [Fact]
    public void Set_scanout_refuses_bad_scanouts_resources_and_rects()
    {
        _harness.SendOk(Create2D(7, 64, 32));
        _harness.SendFails(SetScanout(1, 7, Rect(0, 0, 64, 32)), GpuError.InvalidScanoutId);
        _harness.SendFails(SetScanout(0, 8, Rect(0, 0, 64, 32)), GpuError.InvalidResourceId);
        _harness.SendFails(SetScanout(0, 7, Rect(1, 0, 64, 32)), GpuError.InvalidParameter);
        _harness.SendFails(SetScanout(0, 7, Rect(0, 0, 0, 32)), GpuError.InvalidParameter);
        _harness.SendFails(SetScanout(0, 7, Rect(uint.MaxValue, 0, 2, 2)), GpuError.InvalidParameter);
        Assert.False(_harness.Device.GetScanout(0).IsEnabled);
    }

    [Fact]
    public void Set_scanout_refuses_a_blob_which_needs_set_scanout_blob()
    {
        _harness.SendOk(CreateBlob(3, BlobMemory.Guest, BlobFlags.None, 4096, entries: Entry(DeviceHarness.GuestPage(0), 4096)));
        _harness.SendFails(SetScanout(0, 3, Rect(0, 0, 16, 16)), GpuError.InvalidParameter);
    }

    [Fact]
    public void Flush_of_the_scanout_resource_raises_scanout_flushed()
    {
        var flushes = new List<(uint Scanout, uint Resource, Rect Rect)>();
        _harness.Device.ScanoutFlushed += (scanout, resource, rect) => flushes.Add((scanout, resource.Id, rect));
        _harness.SendOk(Create2D(7, 64, 32));
        _harness.SendOk(Create2D(8, 64, 32));
        _harness.SendOk(SetScanout(0, 7, Rect(0, 0, 64, 32)));

        _harness.SendOk(Flush(7, Rect(1, 2, 3, 4)));
        _harness.SendOk(Flush(8, Rect(0, 0, 64, 32)));

        Assert.Equal([(0u, 7u, Rect(1, 2, 3, 4))], flushes);
    }

    [Fact]
    public void Flush_refuses_unknown_resources_and_rects_outside_them()
    {
        _harness.SendOk(Create2D(7, 64, 32));
        _harness.SendFails(Flush(9, Rect(0, 0, 1, 1)), GpuError.InvalidResourceId);
        _harness.SendFails(Flush(7, Rect(0, 0, 65, 1)), GpuError.InvalidParameter);
        _harness.SendFails(Flush(7, Rect(0, uint.MaxValue, 1, 2)), GpuError.InvalidParameter);
    }

    [Fact]
    public void Update_cursor_records_the_cursor_and_move_changes_only_its_position()
    {
        _harness.SendOk(Create2D(5, 64, 64));
        Assert.Equal(GpuError.None, _harness.Device.HandleCursor(UpdateCursor(0, 10, 20, 5, hotX: 3, hotY: 4)));
        Assert.Equal(new CursorState(0, 10, 20, 5, 3, 4), _harness.Device.Cursor);

        Assert.Equal(GpuError.None, _harness.Device.HandleCursor(MoveCursor(0, 100, 200)));
        Assert.Equal(new CursorState(0, 100, 200, 5, 3, 4), _harness.Device.Cursor);

        Assert.Equal(GpuError.None, _harness.Device.HandleCursor(UpdateCursor(0, 1, 1, 0)));
        Assert.Equal(0u, _harness.Device.Cursor.ResourceId);
    }

    [Fact]
    public void Cursor_requests_are_validated()
    {
        _harness.SendOk(Create2D(5, 64, 64));
        Assert.Equal(GpuError.InvalidScanoutId, _harness.Device.HandleCursor(UpdateCursor(1, 0, 0, 5)));
        Assert.Equal(GpuError.InvalidScanoutId, _harness.Device.HandleCursor(MoveCursor(16, 0, 0)));
        Assert.Equal(GpuError.InvalidResourceId, _harness.Device.HandleCursor(UpdateCursor(0, 0, 0, 6)));
        Assert.Equal(GpuError.InvalidParameter, _harness.Device.HandleCursor(UpdateCursor(0, 0, 0, 5, hotX: 64)));
        Assert.Equal(GpuError.Unspecified, _harness.Device.HandleCursor(UpdateCursor(0, 0, 0, 5)[..40]));
        Assert.Equal(GpuError.Unspecified, _harness.Device.HandleCursor([1, 2, 3]));
        Assert.Equal(GpuError.Unspecified, _harness.Device.HandleCursor(GetDisplayInfo()));
        Assert.Equal(default, _harness.Device.Cursor);
    }

    [Fact]
    public void Unref_of_a_shown_resource_disables_the_scanout_and_hides_the_cursor()
    {
        _harness.SendOk(Create2D(7, 64, 64));
        _harness.SendOk(SetScanout(0, 7, Rect(0, 0, 64, 64)));
        _harness.Device.HandleCursor(UpdateCursor(0, 5, 5, 7));

        _harness.SendOk(Unref(7));

        Assert.False(_harness.Device.GetScanout(0).IsEnabled);
        Assert.Equal(0u, _harness.Device.Cursor.ResourceId);
    }
}

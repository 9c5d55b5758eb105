using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class BlobCommandTests : IDisposable
{
    private const uint ContextId = 1;
    private const ulong BlobSize = 2 * DeviceHarness.PageSize;

    private readonly DeviceHarness _harness = new();
    private readonly FakeTimelineContext _context;

    public BlobCommandTests() => _context = _harness.CreateContext(ContextId);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void A_guest_blob_needs_no_context_and_its_pages_reach_the_contexts_it_is_attached_to()
    {
        var entries = new[] { Entry(DeviceHarness.GuestPage(4), 4096), Entry(DeviceHarness.GuestPage(2), 4096) };
        _harness.SendOk(CreateBlob(10, BlobMemory.Guest, BlobFlags.UseMappable, BlobSize, contextId: 0, entries: entries));
        _harness.SendOk(AttachResource(ContextId, 10));

        Assert.Equal(["attach 10"], _context.ResourceEvents);
        Assert.True(_harness.Device.TryGetResource(10, out var resource));
        var blob = Assert.IsType<BlobResource>(resource);
        Assert.Equal((BlobMemory.Guest, BlobSize, (HostBlob?)null), (blob.Memory, blob.Size, blob.HostMemory));
        Assert.Equal(entries, blob.Backing!.Entries.ToArray());
        Assert.Empty(_context.BlobRequests);
    }

    [Fact]
    public void Guest_blobs_need_entries_covering_their_size()
    {
        _harness.SendFails(CreateBlob(10, BlobMemory.Guest, BlobFlags.None, BlobSize), GpuError.InvalidParameter);
        _harness.SendFails(CreateBlob(10, BlobMemory.Guest, BlobFlags.None, BlobSize, entries: Entry(DeviceHarness.GuestPage(0), 4096)),
            GpuError.InvalidParameter);
        _harness.SendFails(CreateBlob(10, BlobMemory.Guest, BlobFlags.None, BlobSize, entries: Entry(ulong.MaxValue, 8192)),
            GpuError.InvalidParameter);
        Assert.Equal(0, _harness.Device.ResourceCount);
    }

    [Theory]
    [InlineData(BlobMemory.Invalid, BlobFlags.None, 4096ul)]
    [InlineData((BlobMemory)4, BlobFlags.None, 4096ul)]
    [InlineData(BlobMemory.Guest, BlobFlags.CreateGuestHandle, 4096ul)]
    [InlineData(BlobMemory.Guest, (BlobFlags)0x10, 4096ul)]
    [InlineData(BlobMemory.Guest, BlobFlags.None, 0ul)]
    [InlineData(BlobMemory.Guest, BlobFlags.None, 4095ul)]
    [InlineData(BlobMemory.Guest, BlobFlags.None, 4097ul)]
    public void Unknown_memory_kinds_flags_and_unaligned_sizes_are_refused(BlobMemory memory, BlobFlags flags, ulong size)
    {
        _harness.SendFails(CreateBlob(10, memory, flags, size, contextId: 0, entries: Entry(DeviceHarness.GuestPage(0), 8192)),
            GpuError.InvalidParameter);
    }

    [Fact]
    public void Blob_ids_follow_the_resource_id_rules()
    {
        _harness.SendOk(Create2D(10, 4, 4));
        var entry = Entry(DeviceHarness.GuestPage(0), 4096);
        _harness.SendFails(CreateBlob(10, BlobMemory.Guest, BlobFlags.None, 4096, entries: entry), GpuError.InvalidResourceId);
        _harness.SendFails(CreateBlob(0, BlobMemory.Guest, BlobFlags.None, 4096, entries: entry), GpuError.InvalidResourceId);
    }

    [Fact]
    public void A_host3d_blob_is_made_by_the_context_named_in_the_header()
    {
        var other = _harness.CreateContext(2);
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable | BlobFlags.UseShareable, BlobSize, ContextId, blobId: 77));

        var request = Assert.Single(_context.BlobRequests);
        Assert.Equal(new HostBlobRequest(11, BlobMemory.Host3D, BlobFlags.UseMappable | BlobFlags.UseShareable, 77, BlobSize, null), request);
        Assert.Empty(other.BlobRequests);
        Assert.True(_harness.Device.TryGetResource(11, out var resource));
        Assert.NotNull(Assert.IsType<BlobResource>(resource).HostMemory);
    }

    [Fact]
    public void A_host3d_guest_blob_has_both_host_memory_and_guest_pages()
    {
        var entry = Entry(DeviceHarness.GuestPage(8), (uint)BlobSize);
        _harness.SendOk(CreateBlob(12, BlobMemory.Host3DGuest, BlobFlags.None, BlobSize, ContextId, blobId: 5, entries: entry));
        var request = Assert.Single(_context.BlobRequests);
        Assert.Equal([entry], request.GuestBacking!.Entries.ToArray());
        Assert.True(_harness.Device.TryGetResource(12, out var resource));
        Assert.NotNull(Assert.IsType<BlobResource>(resource).HostMemory);
    }

    [Fact]
    public void Host3d_blobs_need_a_live_context_and_no_entries()
    {
        _harness.SendFails(CreateBlob(11, BlobMemory.Host3D, BlobFlags.None, BlobSize, contextId: 0), GpuError.InvalidContextId);
        _harness.SendFails(CreateBlob(11, BlobMemory.Host3D, BlobFlags.None, BlobSize, contextId: 9), GpuError.InvalidContextId);
        _harness.SendFails(CreateBlob(11, BlobMemory.Host3D, BlobFlags.None, BlobSize, ContextId, entries: Entry(DeviceHarness.GuestPage(0), 8192)),
            GpuError.InvalidParameter);
        _harness.SendFails(CreateBlob(11, BlobMemory.Host3DGuest, BlobFlags.None, BlobSize, ContextId), GpuError.InvalidParameter);
        Assert.Empty(_context.BlobRequests);
    }

    [Fact]
    public void A_context_that_cannot_make_the_blob_fails_the_command_and_nothing_is_kept()
    {
        _context.BlobError = GpuError.InvalidParameter;
        _harness.SendFails(CreateBlob(11, BlobMemory.Host3D, BlobFlags.None, BlobSize, ContextId, blobId: 3), GpuError.InvalidParameter);
        Assert.Equal(0, _harness.Device.ResourceCount);
        Assert.Equal(0ul, _harness.Device.HostMemoryInUse);
    }

    [Fact]
    public void Map_puts_the_host_memory_in_the_window_and_answers_only_the_cache_type()
    {
        _context.BlobCacheType = MapCacheType.WriteCombined;
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId, blobId: 40));

        var reply = _harness.SendOk(MapBlob(11, 0x10_0000), CommandType.OkMapInfo);

        Assert.Equal(32, reply.Response.Length);
        Assert.Equal(MapCacheType.WriteCombined, reply.Read<MapInfoResponse>().MapInfo);
        Assert.Equal([(0x10_0000ul, BlobSize, true)], _harness.Window.Maps);
        var visible = _harness.Window.MappedAt(0x10_0000, (int)BlobSize);
        for (int i = 0; i < visible.Length; i += 1000) Assert.Equal(FakeTimelineContext.ExpectedBlobByte(40, i), visible[i]);
        Assert.Equal(1, _harness.Device.MappedBlobCount);
    }

    [Fact]
    public void Read_only_host_memory_is_mapped_read_only_and_only_as_far_as_it_goes()
    {
        _context.BlobWritable = false;
        _context.BlobMemorySize = 2 * DeviceHarness.PageSize;
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, 4 * DeviceHarness.PageSize, ContextId, blobId: 1));
        _harness.SendOk(MapBlob(11, 0), CommandType.OkMapInfo);
        Assert.Equal([(0ul, 2ul * DeviceHarness.PageSize, false)], _harness.Window.Maps);
    }

    [Fact]
    public void Map_refuses_blobs_without_mappable_host_memory_and_unknown_resources()
    {
        _harness.SendOk(CreateBlob(10, BlobMemory.Guest, BlobFlags.UseMappable, 4096, entries: Entry(DeviceHarness.GuestPage(0), 4096)));
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseShareable, BlobSize, ContextId));
        _harness.SendOk(Create2D(12, 4, 4));
        _harness.SendFails(MapBlob(10, 0), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(11, 0), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(12, 0), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(13, 0), GpuError.InvalidResourceId);
        Assert.Empty(_harness.Window.Maps);
    }

    [Fact]
    public void Map_refuses_offsets_unaligned_outside_the_window_overlapping_or_twice()
    {
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendOk(CreateBlob(12, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendFails(MapBlob(11, 100), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(11, DeviceHarness.WindowSize - DeviceHarness.PageSize), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(11, ulong.MaxValue - 4095), GpuError.InvalidParameter);

        _harness.SendOk(MapBlob(11, 0x4000), CommandType.OkMapInfo);
        _harness.SendFails(MapBlob(11, 0x8000), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(12, 0x5000), GpuError.InvalidParameter);
        _harness.SendFails(MapBlob(12, 0x3000), GpuError.InvalidParameter);
        _harness.SendOk(MapBlob(12, 0x2000), CommandType.OkMapInfo);
        Assert.Equal(2, _harness.Window.LiveMappingCount);
    }

    [Fact]
    public void A_window_that_cannot_map_fails_the_command()
    {
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.Window.FailMaps = true;
        _harness.SendFails(MapBlob(11, 0), GpuError.Unspecified);
        _harness.Window.FailMaps = false;
        _harness.SendOk(MapBlob(11, 0), CommandType.OkMapInfo);
    }

    [Fact]
    public void Unmap_takes_the_blob_out_of_the_window_and_frees_its_range()
    {
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendOk(CreateBlob(12, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendOk(MapBlob(11, 0), CommandType.OkMapInfo);

        _harness.SendOk(UnmapBlob(11));

        Assert.Equal([(0ul, BlobSize)], _harness.Window.Unmaps);
        Assert.Equal(0, _harness.Device.MappedBlobCount);
        _harness.SendFails(UnmapBlob(11), GpuError.InvalidParameter);
        _harness.SendFails(UnmapBlob(99), GpuError.InvalidResourceId);
        _harness.SendOk(MapBlob(12, 0), CommandType.OkMapInfo);
    }

    [Fact]
    public void A_failed_unmap_keeps_the_range_reserved()
    {
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendOk(CreateBlob(12, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId));
        _harness.SendOk(MapBlob(11, 0), CommandType.OkMapInfo);
        _harness.Window.FailUnmaps = true;

        _harness.SendFails(UnmapBlob(11), GpuError.Unspecified);
        _harness.SendFails(MapBlob(12, 0), GpuError.InvalidParameter);

        _harness.Window.FailUnmaps = false;
        _harness.SendOk(UnmapBlob(11));
        _harness.SendOk(MapBlob(12, 0), CommandType.OkMapInfo);
    }

    [Fact]
    public void Unref_of_a_mapped_attached_blob_unmaps_detaches_and_returns_its_memory()
    {
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, BlobSize, ContextId, blobId: 2));
        _harness.SendOk(MapBlob(11, 0), CommandType.OkMapInfo);
        _harness.SendOk(AttachResource(ContextId, 11));
        Assert.True(_harness.Device.TryGetResource(11, out var resource));
        var hostMemory = ((BlobResource)resource).HostMemory!;

        _harness.SendOk(Unref(11));

        Assert.Equal([(0ul, BlobSize)], _harness.Window.Unmaps);
        Assert.Equal(["attach 11", "detach 11"], _context.ResourceEvents);
        Assert.True(hostMemory.Handle.IsClosed);
        Assert.Equal(0ul, _harness.Device.HostMemoryInUse);
    }
}

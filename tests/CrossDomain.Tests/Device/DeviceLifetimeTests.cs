using CrossDomain.Host.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

[Collection(FdAccounting.Name)]
public sealed class DeviceLifetimeTests
{
    [Fact]
    public void Reset_forgets_every_context_and_resource_and_the_device_serves_again()
    {
        var harness = new DeviceHarness();
        var context = harness.CreateContext(1);
        harness.SendOk(CreateBlob(5, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, 1));
        harness.SendOk(MapBlob(5, 0), CommandType.OkMapInfo);
        var held = harness.Send(Fenced(Submit(1, [1]), 1, 0));

        harness.Device.Reset();

        Assert.True(context.IsDisposed);
        Assert.Equal(1, held.CompletionCount);
        Assert.Equal(0, harness.Window.LiveMappingCount);
        Assert.Equal((0, 0, 0ul), (harness.Device.ResourceCount, harness.Device.ContextCount, harness.Device.HostMemoryInUse));
        // The same ids are free again, as for a driver that starts from nothing.
        harness.CreateContext(1);
        harness.SendOk(CreateBlob(5, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, 1));
        harness.Dispose();
    }

    [Fact]
    public void Dispose_destroys_contexts_completes_held_replies_and_releases_resources()
    {
        var harness = new DeviceHarness();
        var context = harness.CreateContext(1);
        harness.SendOk(CreateBlob(5, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, 1));
        harness.SendOk(MapBlob(5, 0), CommandType.OkMapInfo);
        Assert.True(harness.Device.TryGetResource(5, out var blob));
        var held = harness.Send(Fenced(Submit(1, [1]), 1, 0));

        harness.Device.Dispose();

        Assert.True(context.IsDisposed);
        Assert.Equal(1, held.CompletionCount);
        Assert.Equal(0, harness.Window.LiveMappingCount);
        Assert.True(((BlobResource)blob).HostMemory!.Handle.IsClosed);
        Assert.Equal((0, 0, 0ul), (harness.Device.ResourceCount, harness.Device.ContextCount, harness.Device.HostMemoryInUse));
        Assert.Throws<ObjectDisposedException>(() => harness.Device.HandleControl(GetDisplayInfo(), new RecordingReply()));
        harness.Dispose();
    }

    [Fact]
    public void A_new_memory_table_is_used_by_the_device_and_seen_by_existing_contexts()
    {
        using var harness = new DeviceHarness();
        var context = harness.CreateContext(1);
        using var newTable = new MemfdGuestMemory();
        newTable.At(DeviceHarness.GuestPage(3), 4).Fill(0xEE);
        harness.SendOk(Create2D(1, 1, 1));
        harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(3), 4)));

        harness.Device.GuestMemory = newTable;
        harness.SendOk(TransferToHost2D(1, Rect(0, 0, 1, 1), 0));

        Assert.True(harness.Device.TryGetResource(1, out var resource));
        Assert.Equal([0xEE, 0xEE, 0xEE, 0xEE], ((Resource2D)resource).Pixels.ToArray());
        Assert.True(context.Setup.GuestMemory.TryGetSpan(DeviceHarness.GuestPage(3), 1, out var seen));
        Assert.Equal(0xEE, seen[0]);
    }

    [Fact]
    public void Creating_mapping_and_freeing_host_blobs_leaks_no_fds()
    {
        using var harness = new DeviceHarness();
        harness.CreateContext(1);
        var before = FdAccounting.Snapshot();
        for (uint id = 1; id <= 200; id++)
        {
            harness.SendOk(CreateBlob(id, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, 1, blobId: id));
            harness.SendOk(MapBlob(id, 0), CommandType.OkMapInfo);
            harness.SendOk(UnmapBlob(id));
            harness.SendOk(Unref(id));
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }
}

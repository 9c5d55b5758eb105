using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class LimitTests
{
    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var limits = new DeviceLimits();
        Assert.Equal((64, 16384, 1L << 30, 4096, 4096, 16384, 1 << 20),
            (limits.MaxContexts, limits.MaxResources, limits.MaxHostMemoryBytes, limits.MaxHostFds, limits.MaxPendingFences,
             limits.MaxBackingEntries, limits.MaxSubmitBytes));
    }

    [Fact]
    public void Past_the_resource_limit_creation_is_out_of_memory_until_one_is_freed()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxResources = 2 });
        harness.SendOk(Create2D(1, 4, 4));
        harness.SendOk(CreateBlob(2, BlobMemory.Guest, BlobFlags.None, 4096, entries: Entry(DeviceHarness.GuestPage(0), 4096)));
        harness.SendRefused(Create2D(3, 4, 4), DeviceRefusal.TooManyResources);
        harness.SendRefused(CreateBlob(3, BlobMemory.Guest, BlobFlags.None, 4096, entries: Entry(DeviceHarness.GuestPage(0), 4096)),
            DeviceRefusal.TooManyResources);
        harness.SendOk(Unref(1));
        harness.SendOk(Create2D(3, 4, 4));
    }

    [Fact]
    public void Past_the_context_limit_creation_is_out_of_memory()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxContexts = 1 });
        harness.CreateContext(1);
        harness.SendRefused(CreateContext(2, 5), DeviceRefusal.TooManyContexts);
        harness.SendOk(DestroyContext(1));
        harness.CreateContext(2);
    }

    [Fact]
    public void Pixel_storage_counts_against_host_memory()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostMemoryBytes = 64 * 64 * 4 * 2 });
        harness.SendOk(Create2D(1, 64, 64));
        harness.SendOk(Create2D(2, 64, 64));
        Assert.Equal(64ul * 64 * 4 * 2, harness.Device.HostMemoryInUse);
        harness.SendRefused(Create2D(3, 1, 1), DeviceRefusal.HostMemoryExhausted);
        harness.SendOk(Unref(2));
        harness.SendOk(Create2D(3, 1, 1));
    }

    [Fact]
    public void A_huge_image_is_refused_before_anything_is_allocated()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostMemoryBytes = long.MaxValue });
        long before = GC.GetAllocatedBytesForCurrentThread();
        harness.SendRefused(Create2D(1, uint.MaxValue, uint.MaxValue), DeviceRefusal.HostMemoryExhausted);
        harness.SendRefused(Create2D(1, 65536, 65536), DeviceRefusal.HostMemoryExhausted);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(0ul, harness.Device.HostMemoryInUse);
    }

    [Fact]
    public void Host_blobs_count_against_host_memory_and_the_context_is_not_asked_past_it()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostMemoryBytes = 1 << 20 });
        var context = harness.CreateContext(1);
        harness.SendOk(CreateBlob(1, BlobMemory.Host3D, BlobFlags.None, 1 << 19, 1));
        harness.SendRefused(CreateBlob(2, BlobMemory.Host3D, BlobFlags.None, 1 << 20, 1), DeviceRefusal.HostMemoryExhausted);
        Assert.Single(context.BlobRequests);
        harness.SendOk(Unref(1));
        Assert.Equal(0ul, harness.Device.HostMemoryInUse);
    }

    [Fact]
    public void Backing_entry_tables_count_against_host_memory()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostMemoryBytes = 4 * 4 * 4 + GuestBacking.HostBytesPerEntry });
        harness.SendOk(Create2D(1, 4, 4));
        harness.SendRefused(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), 32), Entry(DeviceHarness.GuestPage(1), 32)), DeviceRefusal.HostMemoryExhausted);
        harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), 64)));
        harness.SendOk(DetachBacking(1));
        Assert.Equal(4ul * 4 * 4, harness.Device.HostMemoryInUse);
    }

    [Fact]
    public void Past_the_entry_limit_attach_and_blob_creation_are_out_of_memory()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxBackingEntries = 2 });
        var three = Enumerable.Range(0, 3).Select(page => Entry(DeviceHarness.GuestPage(page), 4096)).ToArray();
        harness.SendOk(Create2D(1, 4, 4));
        harness.SendRefused(AttachBacking(1, three), DeviceRefusal.TooManyMemoryEntries);
        harness.SendRefused(CreateBlob(2, BlobMemory.Guest, BlobFlags.None, 4096, entries: three), DeviceRefusal.TooManyMemoryEntries);
        harness.SendRefused(AttachBacking(1, uint.MaxValue, []), DeviceRefusal.TooManyMemoryEntries);
        harness.SendOk(AttachBacking(1, three[..2]));
    }

    [Fact]
    public void Past_the_submit_limit_a_command_stream_is_out_of_memory()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxSubmitBytes = 16 });
        var context = harness.CreateContext(1);
        harness.SendOk(Submit(1, new byte[16]));
        harness.SendRefused(Submit(1, new byte[17]), DeviceRefusal.SubmitTooLarge);
        harness.SendRefused(Submit(1, uint.MaxValue, []), DeviceRefusal.SubmitTooLarge);
        Assert.Single(context.Submissions);
    }
}

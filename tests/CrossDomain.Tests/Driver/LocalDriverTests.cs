using CrossDomain.Host.Device;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Driver;

/// <summary>
/// Our userspace driver against the real host service over a real vhost-user socket: handshake,
/// commands, blobs through SHMEM_MAP, fences per ring. The context type is the device tests'
/// fake, so each fence signals exactly when the test says.
/// </summary>
public sealed class LocalDriverTests : IDisposable
{
    private readonly FakeTimelineContextType _contextType = new(CapsetId.Drm, capsetMaxSize: 32);
    private readonly InProcessHostService _host;

    public LocalDriverTests() => _host = new InProcessHostService(_contextType);

    public void Dispose() => _host.Dispose();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void The_handshake_brings_up_a_device_the_linux_uapi_can_use(bool eventIndex, bool indirect)
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath, eventIndex: eventIndex, indirectDescriptors: indirect);
        Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.Features3D));
        Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.ResourceBlob));
        Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.ContextInit));
        Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.HostVisible));
        Assert.Equal(1ul << (int)CapsetId.Drm, gpu.GetParam(VirtgpuParam.SupportedCapsetIds));
        Assert.Equal(eventIndex, (gpu.Features & (ulong)VirtioGpuFeatures.RingEventIndex) != 0);
        Assert.Equal(indirect, (gpu.Features & (ulong)VirtioGpuFeatures.RingIndirectDescriptors) != 0);

        var caps = new byte[32];
        Assert.Equal(32, gpu.GetCaps((uint)CapsetId.Drm, 0, caps));
        Assert.Equal(FakeTimelineContextType.ExpectedCapsetByte(CapsetId.Drm, 0, 31), caps[31]);

        gpu.InitContext((uint)CapsetId.Drm, ringCount: 2, pollRingMask: 1 << 1);
        var context = Assert.Single(_contextType.Created);
        Assert.Equal("crossdomain-proxy", context.Setup.DebugName);

        // Many commands in a row go round the 256-entry control ring several times. Submit only
        // queues (as EXECBUFFER does), so a command that waits for its reply follows, and by then
        // every earlier one has been executed, in order.
        for (int i = 0; i < 600; i++) gpu.Submit([(byte)i, 0, 0, 0], ringIndex: null, []);
        gpu.CloseBuffer(gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 4096, 0).BufferHandle);
        Assert.Equal(600, context.Submissions.Count);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (byte)i), context.Submissions.Select(submission => submission[0]));
    }

    [Fact]
    public void Device_errors_come_back_as_driver_errors_and_the_device_keeps_serving()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        Assert.Throws<VirtioGpuDriverException>(() => gpu.GetCaps((uint)CapsetId.Drm, 5, new byte[8]));
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        _contextType.Created[0].BlobError = GpuError.InvalidParameter;
        Assert.Throws<VirtioGpuDriverException>(() => gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 4096, 7));
        _contextType.Created[0].BlobError = GpuError.None;
        var blob = gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 4096, 7);
        Assert.NotEqual(0u, blob.ResourceId);
    }

    [Fact]
    public void A_host_blob_is_mapped_into_the_window_through_shmem_map()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        var blob = gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 8192, blobId: 42);
        var mapped = gpu.Map(blob.BufferHandle);
        var bytes = mapped.GetSpan(0, 8192);
        // The fake context fills blob memory with a pattern derived from its blob id.
        Assert.Equal(FakeTimelineContext.ExpectedBlobByte(42, 0), bytes[0]);
        Assert.Equal(FakeTimelineContext.ExpectedBlobByte(42, 8191), bytes[8191]);
        Assert.Contains(_contextType.Created[0].AttachedResourceIds, id => id == blob.ResourceId);
        gpu.CloseBuffer(blob.BufferHandle);
        Assert.DoesNotContain(_contextType.Created[0].AttachedResourceIds, id => id == blob.ResourceId);
    }

    [Fact]
    public void A_guest_blob_is_guest_memory_the_host_can_read()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        var blob = gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 4096, 0);
        gpu.Map(blob.BufferHandle).GetSpan(0, 5).Fill(9);
        Assert.Contains(_contextType.Created[0].AttachedResourceIds, id => id == blob.ResourceId);
    }

    [Fact]
    public void Without_host_visible_memory_only_host3d_guest_blobs_map_and_only_blobs_with_host_memory_take_transfers()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath, hostVisibleMemory: false);
        Assert.Equal(0ul, gpu.GetParam(VirtgpuParam.HostVisible));
        gpu.InitContext((uint)CapsetId.Drm, 2, 0);
        // As Linux: a mappable HOST3D blob needs the window; a HOST3D_GUEST one maps its guest pages.
        var refused = Assert.Throws<VirtioGpuDriverException>(() => gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 4096, 7));
        Assert.Equal(Tmds.Linux.LibC.EINVAL, refused.Errno);
        var copy = gpu.CreateBlob(VirtgpuBlobMemory.Host3DGuest, VirtgpuBlobFlags.UseMappable, 4096, 7);
        gpu.Map(copy.BufferHandle).GetSpan(0, 4096).Fill(3);

        // As Linux: transfers on a GUEST blob are refused before the device sees them.
        var guest = gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 4096, 0);
        var box = new Box { Width = 1, Height = 1, Depth = 1 };
        var noHostSide = Assert.Throws<VirtioGpuDriverException>(() => gpu.TransferToHost(new DrmVirtgpu3DTransfer { BoHandle = guest.BufferHandle, Box = box }));
        Assert.Equal(Tmds.Linux.LibC.EINVAL, noHostSide.Errno);
    }

    [Fact]
    public void Fences_complete_in_order_within_a_ring_and_independently_across_rings()
    {
        using var gpu = LocalVirtioGpu.Connect(_host.SocketPath);
        gpu.InitContext((uint)CapsetId.Drm, ringCount: 2, pollRingMask: 1 << 1);
        var context = _contextType.Created[0];
        var query = gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 4096, 0);

        gpu.Submit([1, 0, 0, 0], ringIndex: 0, [query.BufferHandle]);
        for (int i = 0; i < 3; i++) gpu.Submit([2, 0, 0, 0], ringIndex: 1, []);
        WaitFor(() => context.FencesCreated.Count == 4);
        var ring1 = context.FencesCreated.Where(f => f.RingIndex == 1).Select(f => f.FenceId).ToArray();
        ulong ring0 = context.FencesCreated.Single(f => f.RingIndex == 0).FenceId;

        // Signalling the second fence of ring 1 returns the first two, in order; ring 0 stays held.
        context.Signal(1, ring1[1]);
        Assert.Equal(2, CountFenceEvents(gpu, expected: 2));
        Assert.False(gpu.Wait(query.BufferHandle, noWait: true, TimeSpan.Zero));

        context.Signal(0, ring0);
        Assert.True(gpu.Wait(query.BufferHandle, noWait: false, Timeout));
        Assert.False(gpu.TryReadFenceEvent());

        context.Signal(1, ring1[2]);
        Assert.Equal(1, CountFenceEvents(gpu, expected: 1));
    }

    private static int CountFenceEvents(LocalVirtioGpu gpu, int expected)
    {
        int count = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (count < expected && DateTime.UtcNow < deadline)
        {
            if (gpu.TryReadFenceEvent()) count++;
            else Thread.Sleep(1);
        }
        // Nothing beyond what was signalled.
        while (gpu.TryReadFenceEvent()) count++;
        return count;
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(1);
        }
    }
}

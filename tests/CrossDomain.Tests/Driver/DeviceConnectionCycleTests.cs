using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Driver;

/// <summary>
/// Front-ends that come and go, half of them hanging up with a fenced command still held by the
/// device: the host service (here in-process, so the counts include both ends) must return to the
/// fds and mappings it started with.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class DeviceConnectionCycleTests
{
    private const int Cycles = 1000;
    private const int Warmup = 100;

    [Fact]
    public void A_thousand_connect_use_disconnect_cycles_leave_fds_and_mappings_where_they_started()
    {
        var contextType = new FakeTimelineContextType(CapsetId.Drm) { };
        using var host = new InProcessHostService(contextType);
        // Warm-up: the JIT and the GC map memory of their own the first time each path runs.
        for (int i = 0; i < Warmup; i++) Cycle(host.SocketPath, i);

        var fdsBefore = FdAccounting.Snapshot();
        int mappingsBefore = MappingCount();
        for (int i = 0; i < Cycles; i++) Cycle(host.SocketPath, i);

        FdAccounting.AssertNoneOpenedSince(fdsBefore);
        // The runtime still maps memory of its own now and then (JIT code, GC regions), so a few more
        // are not ours; a leak would show as one or more per cycle.
        int mappingsAfter = WaitForMappingsToSettle(mappingsBefore);
        Assert.InRange(mappingsAfter, 0, mappingsBefore + 16);
        Assert.Equal(Cycles + Warmup, contextType.Created.Count);
        Assert.All(contextType.Created, context => Assert.True(context.IsDisposed));
    }

    private static void Cycle(string socketPath, int index)
    {
        using var gpu = LocalVirtioGpu.Connect(socketPath, guestRamBytes: 4 << 20, eventIndex: index % 3 == 0);
        gpu.InitContext((uint)CapsetId.Drm, ringCount: 2, pollRingMask: 1 << 1);
        var blob = gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable, 4096, blobId: 1);
        gpu.Map(blob.BufferHandle).GetSpan(0, 1)[0] = 1;
        if (index % 2 == 1)
        {
            // A fence the context never signals: the device still holds this reply when we hang up.
            gpu.Submit([], ringIndex: 1, []);
            return;
        }
        gpu.CloseBuffer(blob.BufferHandle);
    }

    // The JIT's double-mapped code pages come and go with compilation, not with our resources.
    private static int MappingCount() => File.ReadLines("/proc/self/maps").Count(line => !line.EndsWith("/memfd:doublemapper (deleted)", StringComparison.Ordinal));

    private static int WaitForMappingsToSettle(int target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(2);
        int count = MappingCount();
        while (count > target && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            count = MappingCount();
        }
        return count;
    }
}

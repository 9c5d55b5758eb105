using CrossDomain.Host.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

/// <summary>
/// DeviceLimits.MaxHostFds for HOST3D blobs: each holds one host fd, and a guest must not be able
/// to take the process's fd table with them.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class HostFdBudgetTests
{
    private const int Budget = 32;
    private const uint ContextId = 1;

    [Fact]
    public void Host3d_blobs_up_to_the_fd_budget_are_made_the_next_is_out_of_memory_and_freeing_closes_every_fd()
    {
        var before = FdAccounting.Snapshot();
        using (var harness = new DeviceHarness(new DeviceLimits { MaxHostFds = Budget }))
        {
            var context = harness.CreateContext(ContextId);
            int openBefore = FdAccounting.OpenFds().Count;
            for (uint id = 1; id <= Budget; id++)
                harness.SendOk(CreateBlob(id, BlobMemory.Host3D, BlobFlags.UseMappable, DeviceHarness.PageSize, ContextId, blobId: id));
            Assert.Equal(Budget, harness.Device.HostFdsInUse);

            harness.SendRefused(CreateBlob(Budget + 1, BlobMemory.Host3D, BlobFlags.UseMappable, DeviceHarness.PageSize, ContextId, blobId: 99),
                DeviceRefusal.HostFdsExhausted);
            // Refused before the context made anything, and blobs without host memory hold no fd.
            Assert.Equal(Budget, context.BlobRequests.Count);
            Assert.True(FdAccounting.OpenFds().Count - openBefore <= Budget, "the process holds more fds than the budget allows");
            harness.SendOk(CreateBlob(Budget + 2, BlobMemory.Guest, BlobFlags.None, DeviceHarness.PageSize,
                entries: Entry(DeviceHarness.GuestPage(0), DeviceHarness.PageSize)));

            harness.SendOk(Unref(1));
            harness.SendOk(CreateBlob(Budget + 1, BlobMemory.Host3D, BlobFlags.UseMappable, DeviceHarness.PageSize, ContextId, blobId: 99));
            for (uint id = 2; id <= Budget + 2; id++) harness.SendOk(Unref(id));
            Assert.Equal(0, harness.Device.HostFdsInUse);
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void A_blob_the_context_fails_to_make_gives_its_fd_back()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostFds = 1 });
        var context = harness.CreateContext(ContextId);
        context.BlobError = GpuError.InvalidParameter;
        harness.SendFails(CreateBlob(1, BlobMemory.Host3D, BlobFlags.None, DeviceHarness.PageSize, ContextId), GpuError.InvalidParameter);
        context.BlobError = GpuError.None;
        harness.SendOk(CreateBlob(1, BlobMemory.Host3D, BlobFlags.None, DeviceHarness.PageSize, ContextId));
    }
}

using CrossDomain.Host.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// SENDs waiting for a compositor that does not read keep a duplicate of each of their fds: those
/// count against the device's fd budget, so a one-byte SEND with 28 fds cannot fill the fd table.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class SendBacklogFdTests
{
    private const uint Argb8888 = 0x34325241;
    private const int Budget = 64;

    [Fact]
    public void Sends_with_fds_to_a_compositor_that_does_not_read_are_refused_at_the_fd_budget_and_leak_nothing()
    {
        var before = FdAccounting.Snapshot();
        using (var compositor = new StandInCompositor())
        using (var device = new CrossDomainDevice(compositor.SocketPath, deviceLimits: new DeviceLimits { MaxHostFds = Budget }))
        {
            var guest = device.CreateGuest(1).CreateRings().Init();
            compositor.AcceptConnection();
            var requirements = guest.GetImageRequirements(16, 16, Argb8888);
            uint blob = guest.CreateHostBlob(requirements.BlobId, requirements.Size);
            var identifiers = Enumerable.Repeat((blob, IdentifierType.VirtgpuBlob), CrossDomainLimits.MaxIdentifiers).ToArray();
            int openBefore = FdAccounting.OpenFds().Count;

            GpuError error;
            int sends = 0;
            do
            {
                var reply = guest.Submit(CrossDomainCommands.Send("x"u8, identifiers));
                error = reply.Type == CommandType.OkNoData ? GpuError.None : (GpuError)reply.Type;
                Assert.True(++sends < 100_000, "sends were never refused");
            }
            while (error == GpuError.None);

            Assert.Equal(GpuError.OutOfMemory, error);
            Assert.InRange(device.Harness.Device.HostFdsInUse, 1 + CrossDomainLimits.MaxIdentifiers, Budget);
            Assert.True(FdAccounting.OpenFds().Count - openBefore <= Budget, "the process holds more fds than the budget allows");

            // A compositor that hangs up takes nothing more: the waiting duplicates close, and only the blob's fd is left.
            compositor.CloseConnection();
            device.Harness.RunLoopUntil(() => device.Harness.Device.HostFdsInUse == 1, "the queued fds to close");
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }
}

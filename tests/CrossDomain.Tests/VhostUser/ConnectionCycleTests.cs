using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// Connect, full handshake (with QEMU's habits: replaced call fds, a display socket, the
/// back-end channel), a kick, a mapping, disconnect — a thousand times. The process's fd table
/// and the guest-RAM mappings must end where they started.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class ConnectionCycleTests
{
    private const int Cycles = 1000;
    private const string RamName = "vhost-cycle-ram";

    [Fact]
    public void A_thousand_connections_leave_no_fd_and_no_mapping_behind()
    {
        string path = Path.Combine(Path.GetTempPath(), $"crossdomain-cycle-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        using var backend = new BackendLoop();
        var server = backend.Invoke(() =>
            new VhostUserServer(UnixListener.Bind(path), backend.Loop, (window, _) => new RecordingDevice(window)));
        try
        {
            // One warm-up cycle, so lazily created runtime state (thread pool, type loading) is not counted as a leak.
            RunCycle(path, backend, server, 0);
            var before = FdAccounting.Snapshot();

            for (int cycle = 1; cycle <= Cycles; cycle++) RunCycle(path, backend, server, cycle);

            FdAccounting.AssertNoneOpenedSince(before);
            Assert.Equal(0, VhostUserHandshakeTests.MappingCount(RamName));
        }
        finally
        {
            backend.Invoke(server.Dispose);
        }
    }

    private static void RunCycle(string path, BackendLoop backend, VhostUserServer server, int cycle)
    {
        using (var guest = new TestGuest(RamName))
        using (var frontend = VhostUserFrontend.Connect(path, VhostUserFrontendOptions.QemuLike))
        {
            var outcome = frontend.Handshake(guest.Memory, guest.Queues);
            Assert.True(outcome.IsSuccess, $"cycle {cycle}: {outcome}");
            frontend.Vrings[0].Kick.Signal();
            if (cycle % 10 == 0)
            {
                // Every tenth cycle also maps a blob, and disconnects with it still mapped.
                var session = backend.Invoke(() => server.Sessions.Single());
                using var blob = MemFd.Create("vhost-cycle-blob", Environment.SystemPageSize);
                var mapped = BackendLoop.StartOn(session.Loop, () => session.HostVisibleWindow.TryMap(blob, 0, 0, (ulong)Environment.SystemPageSize, true));
                Assert.Equal(1, frontend.ServeBackendRequests(5000));
                Assert.True(BackendLoop.Await(mapped), $"cycle {cycle}: map");
            }
            // Leave in the middle of things every seventh cycle: nothing waits for a reply.
            if (cycle % 7 != 0) Assert.True(frontend.Synchronize().IsSuccess);
        }
        Assert.True(backend.WaitUntil(() => server.Sessions.Count == 0), $"cycle {cycle}: the session did not end");
    }
}

using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// One VM's device must not hold up or end another's: the server gives each session a loop
/// thread of its own, and what throws on a session's loop ends that session only.
/// </summary>
public sealed class DeviceIsolationTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"crossdomain-isolation-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
    private readonly BackendLoop _backend = new();

    public void Dispose() => _backend.Dispose();

    [Fact]
    public void A_front_end_that_does_not_ack_a_shmem_map_delays_only_its_own_device()
    {
        // Long enough that, were the loops shared, the second handshake would time out first.
        var options = VhostUserBackendOptions.Default with { BackendReplyTimeoutMilliseconds = 60_000 };
        var server = _backend.Invoke(() => new VhostUserServer(UnixListener.Bind(_path), _backend.Loop, (window, _) => new RecordingDevice(window), options));
        try
        {
            using var guestA = new TestGuest("vhost-isolation-a");
            using var stalled = VhostUserFrontend.Connect(_path, VhostUserFrontendOptions.QemuLike);
            Assert.True(stalled.Handshake(guestA.Memory, guestA.Queues).IsSuccess);
            Assert.True(stalled.Synchronize().IsSuccess);
            var sessionA = _backend.Invoke(() => server.Sessions.Single());

            using var blob = MemFd.Create("vhost-isolation-blob", Environment.SystemPageSize);
            var mapped = BackendLoop.StartOn(sessionA.Loop,
                () => sessionA.HostVisibleWindow.TryMap(blob, 0, 0, (ulong)Environment.SystemPageSize, writable: true));

            // Device A now waits for an ack that does not come; device B is served all the same.
            using (var guestB = new TestGuest("vhost-isolation-b"))
            using (var other = VhostUserFrontend.Connect(_path, VhostUserFrontendOptions.QemuLike))
            {
                var outcome = other.Handshake(guestB.Memory, guestB.Queues);
                Assert.True(outcome.IsSuccess, outcome.ToString());
                Assert.True(other.Synchronize().IsSuccess);
            }
            Assert.False(mapped.IsCompleted, "device A stopped waiting for its ack before device B was served");

            Assert.Equal(1, stalled.ServeBackendRequests(5000));
            Assert.True(BackendLoop.Await(mapped));
        }
        finally
        {
            _backend.Invoke(server.Dispose);
        }
    }

    [Fact]
    public void An_exception_on_a_session_loop_ends_that_session_and_the_server_serves_the_next()
    {
        int made = 0;
        var server = _backend.Invoke(() => new VhostUserServer(UnixListener.Bind(_path), _backend.Loop, (window, loop) =>
        {
            // The first device has a bug outside the session's own handlers: a timer that throws.
            if (Interlocked.Increment(ref made) == 1) loop.AddTimer(TimeSpan.Zero, () => throw new InvalidOperationException("a device bug"));
            return new RecordingDevice(window);
        }));
        try
        {
            using (var guest = new TestGuest("vhost-fault-a"))
            using (var faulty = VhostUserFrontend.Connect(_path, VhostUserFrontendOptions.QemuLike))
            {
                // The session ends on its own (maybe in the middle of the handshake): its socket is closed under the front-end.
                faulty.Handshake(guest.Memory, guest.Queues);
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (faulty.Synchronize().IsSuccess)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the faulty session did not end");
                    Thread.Sleep(10);
                }
            }
            Assert.True(_backend.WaitUntil(() => server.Sessions.Count == 0));

            using var guestB = new TestGuest("vhost-fault-b");
            using var next = VhostUserFrontend.Connect(_path, VhostUserFrontendOptions.QemuLike);
            Assert.True(next.Handshake(guestB.Memory, guestB.Queues).IsSuccess);
            Assert.True(next.Synchronize().IsSuccess);
            Assert.Equal(1, _backend.Invoke(() => server.Sessions.Count));
        }
        finally
        {
            _backend.Invoke(server.Dispose);
        }
    }
}

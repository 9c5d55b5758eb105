using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// SHMEM_MAP / SHMEM_UNMAP end to end: the back-end places a memfd in the front-end's
/// host-visible window over the back-end channel, and the front-end reads it there.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class SharedMemoryWindowTests : IDisposable
{
    private const ulong WindowSize = 16 << 20;
    private static readonly int Page = Environment.SystemPageSize;

    private readonly BackendLoop _backend = new();
    private readonly TestGuest _guest = new("vhost-shmem-ram");

    public void Dispose()
    {
        _backend.Dispose();
        _guest.Dispose();
    }

    [Fact]
    public void A_memfd_mapped_by_the_back_end_is_readable_and_writable_in_the_front_end_window()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.QemuLike);
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", 4 * Page))
        using (var blobView = MemoryMapping.Map(blob, 4 * Page))
        {
            for (int i = 0; i < 4 * Page; i++) blobView.Span[i] = (byte)(i * 7);
            Assert.Equal(WindowSize, _backend.Invoke(() => session.HostVisibleWindow.Size));

            // The back-end blocks for the ack while the front-end serves the request.
            ulong windowOffset = 3 * (ulong)Page;
            var mapped = _backend.Start(() => session.HostVisibleWindow.TryMap(blob, (ulong)Page, windowOffset, 2 * (ulong)Page, writable: true));
            Assert.Equal(1, frontend.ServeBackendRequests(5000));
            Assert.True(BackendLoop.Await(mapped));

            Assert.Equal(1, frontend.Window!.MappingCount);
            Assert.True(frontend.Window.TryGetSpan(windowOffset, 2 * Page, out var seen));
            Assert.Equal(blobView.Span.Slice(Page, 2 * Page).ToArray(), seen.ToArray());
            seen[5] = 0xEE;
            Assert.Equal(0xEE, blobView.Span[Page + 5]);
            // Only inside a mapping: the rest of the window is PROT_NONE and would fault.
            Assert.False(frontend.Window.TryGetSpan(0, 1, out _));
            Assert.False(frontend.Window.TryGetSpan(windowOffset, 2 * Page + 1, out _));

            var unmapped = _backend.Start(() => session.HostVisibleWindow.TryUnmap(windowOffset, 2 * (ulong)Page));
            Assert.Equal(1, frontend.ServeBackendRequests(5000));
            Assert.True(BackendLoop.Await(unmapped));
            Assert.Equal(0, frontend.Window.MappingCount);
            Assert.False(frontend.Window.TryGetSpan(windowOffset, 1, out _));
        }
    }

    [Fact]
    public void The_front_end_refuses_overlaps_with_a_nack_and_ignores_unknown_unmaps()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain);
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", 4 * Page))
        {
            var window = _backend.Invoke(() => session.HostVisibleWindow);
            Assert.True(MapServed(frontend, () => window.TryMap(blob, 0, 0, 2 * (ulong)Page, writable: false)));
            Assert.False(MapServed(frontend, () => window.TryMap(blob, 0, (ulong)Page, (ulong)Page, writable: false)));
            // An unmap asks for no ack (QEMU would hold it back behind its own memory update), so
            // a wrong one is the front-end's to refuse on its own: it changes nothing there.
            Assert.True(MapServed(frontend, () => window.TryUnmap((ulong)Page, (ulong)Page)));
            // Past the end of the fd: refused rather than mapped into a SIGBUS.
            Assert.False(MapServed(frontend, () => window.TryMap(blob, 2 * (ulong)Page, 8 * (ulong)Page, 4 * (ulong)Page, writable: false)));
            Assert.Equal(1, frontend.Window!.MappingCount);
            // The channel survived all of that.
            Assert.Equal(WindowSize, _backend.Invoke(() => window.Size));
        }
    }

    [Fact]
    public void An_unmap_waits_for_no_ack_so_a_front_end_busy_with_its_own_request_cannot_stall_it()
    {
        // QEMU 11.1 answers SHMEM_UNMAP only after the back-end has acked its REM_MEM_REG: a
        // back-end waiting for the unmap's ack would wait out its reply timeout and lose the channel.
        var options = VhostUserBackendOptions.Default with { BackendReplyTimeoutMilliseconds = 100 };
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain, options);
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", Page))
        {
            var window = _backend.Invoke(() => session.HostVisibleWindow);
            Assert.True(MapServed(frontend, () => window.TryMap(blob, 0, 0, (ulong)Page, writable: true)));
            Assert.True(_backend.Invoke(() => window.TryUnmap(0, (ulong)Page)));
            Assert.Equal(WindowSize, _backend.Invoke(() => window.Size));
            Assert.Equal(1, frontend.ServeBackendRequests(5000));
            Assert.Equal(0, frontend.Window!.MappingCount);
        }
    }

    [Fact]
    public void The_back_end_refuses_ranges_outside_its_window_without_asking()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain);
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", Page))
        {
            _backend.Invoke(() =>
            {
                var window = session.HostVisibleWindow;
                Assert.False(window.TryMap(blob, 0, WindowSize, (ulong)Page, writable: true));
                Assert.False(window.TryMap(blob, 0, WindowSize - (ulong)Page, 2 * (ulong)Page, writable: true));
                Assert.False(window.TryMap(blob, 0, ulong.MaxValue - 0xFFF, 0x2000, writable: true));
                Assert.False(window.TryMap(blob, 0, 1, (ulong)Page, writable: true));
                Assert.False(window.TryMap(blob, 0, 0, 0, writable: true));
                Assert.False(window.TryUnmap(WindowSize, 1));
            });
            Assert.Equal(0, frontend.ServeBackendRequests(50));
        }
    }

    [Fact]
    public void A_front_end_that_never_acks_costs_the_back_end_its_channel_not_its_session()
    {
        var options = VhostUserBackendOptions.Default with { BackendReplyTimeoutMilliseconds = 100 };
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain, options);
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", Page))
        {
            Assert.False(_backend.Invoke(() => session.HostVisibleWindow.TryMap(blob, 0, 0, (ulong)Page, writable: true)));
            _backend.Invoke(() =>
            {
                Assert.Equal(0UL, session.HostVisibleWindow.Size);
                Assert.Equal(ChannelError.TimedOut, ((BackendChannelWindow)session.HostVisibleWindow).LastChannelError);
                Assert.False(session.IsClosed);
            });
        }
    }

    [Fact]
    public void Without_reply_ack_a_map_is_sent_and_taken_on_trust()
    {
        var requested = VhostUserFrontendOptions.DefaultProtocolFeatures & ~ProtocolFeatures.ReplyAck;
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain with { RequestedProtocolFeatures = requested });
        using (frontend)
        using (var blob = MemFd.Create("vhost-shmem-blob", Page))
        {
            Assert.True(_backend.Invoke(() => session.HostVisibleWindow.TryMap(blob, 0, 0, (ulong)Page, writable: true)));
            Assert.Equal(1, frontend.ServeBackendRequests(5000));
            Assert.Equal(1, frontend.Window!.MappingCount);
        }
    }

    [Fact]
    public void Without_shmem_there_is_no_window_on_either_side()
    {
        var requested = VhostUserFrontendOptions.DefaultProtocolFeatures & ~ProtocolFeatures.Shmem;
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain with { RequestedProtocolFeatures = requested });
        using (frontend)
        {
            Assert.Equal(0UL, frontend.Window!.Size);
            Assert.Equal(0UL, _backend.Invoke(() => session.HostVisibleWindow.Size));
        }
    }

    private bool MapServed(VhostUserFrontend frontend, Func<bool> request)
    {
        var pending = _backend.Start(request);
        Assert.Equal(1, frontend.ServeBackendRequests(5000));
        return BackendLoop.Await(pending);
    }

    private (VhostUserFrontend Frontend, VhostUserBackendSession Session) Connect(VhostUserFrontendOptions options,
        VhostUserBackendOptions? backendOptions = null)
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        var session = _backend.StartSession(theirs, (backendOptions ?? VhostUserBackendOptions.Default) with { HostVisibleWindowSize = WindowSize });
        var frontend = new VhostUserFrontend(ours, options);
        var outcome = frontend.Handshake(_guest.Memory, _guest.Queues);
        Assert.True(outcome.IsSuccess, outcome.ToString());
        Assert.True(frontend.Synchronize().IsSuccess);
        return (frontend, session);
    }
}

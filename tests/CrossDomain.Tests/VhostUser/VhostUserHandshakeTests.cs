using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// The front-end and a back-end session talking over a real socket: the §9.1 handshake with
/// QEMU's habits on and off, and what the session makes of it.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class VhostUserHandshakeTests : IDisposable
{
    private const ulong ProtocolFeaturesBit = (ulong)TransportFeatures.VhostUserProtocolFeatures;

    private readonly BackendLoop _backend = new();
    private readonly TestGuest _guest = new();

    public void Dispose()
    {
        _backend.Dispose();
        _guest.Dispose();
    }

    public static TheoryData<string> FrontendStyles => ["plain", "qemu", "memory slots"];

    private static VhostUserFrontendOptions OptionsFor(string style) => style switch
    {
        "plain" => VhostUserFrontendOptions.Plain,
        "qemu" => VhostUserFrontendOptions.QemuLike,
        "memory slots" => VhostUserFrontendOptions.Plain with { UseMemorySlots = true },
        _ => throw new ArgumentOutOfRangeException(nameof(style)),
    };

    [Theory]
    [MemberData(nameof(FrontendStyles))]
    public void The_full_handshake_leaves_both_rings_started_enabled_and_translated(string style)
    {
        var options = OptionsFor(style);
        var (frontend, session) = Connect(options);
        using (frontend)
        {
            var outcome = frontend.Handshake(_guest.Memory, _guest.Queues);
            Assert.True(outcome.IsSuccess, outcome.ToString());
            Assert.True(frontend.Synchronize().IsSuccess);

            Assert.Equal(RecordingDevice.CrossDomainFeatures | ProtocolFeaturesBit, frontend.BackendFeatures);
            Assert.Equal(VhostUserBackendOptions.DefaultProtocolFeatures, frontend.BackendProtocolFeatures);
            var expectedProtocol = options.RequestedProtocolFeatures
                | (options.UseMemorySlots ? ProtocolFeatures.ConfigureMemSlots : ProtocolFeatures.None);
            Assert.Equal(expectedProtocol, frontend.NegotiatedProtocolFeatures);
            Assert.Equal(2, frontend.QueueCount);
            Assert.Equal(VhostUserBackendOptions.Default.HostVisibleWindowSize, frontend.Window!.Size);
            Assert.Equal(1u, ReadConfig(frontend.DeviceConfig).CapsetCount);

            ulong expectedAcked = RecordingDevice.CrossDomainFeatures | ProtocolFeaturesBit
                | (options.AckTransportFeaturesWithoutOffer ? (ulong)TransportFeatures.AckedWithoutOffer : 0);
            Assert.Equal(expectedAcked, frontend.AckedFeatures);

            _backend.Invoke(() =>
            {
                Assert.False(session.IsClosed);
                Assert.Equal(expectedAcked, session.AckedFeatures);
                Assert.Equal(expectedProtocol, session.ProtocolFeatures);
                Assert.True(session.HasOwner);
                Assert.Single(session.MemoryMap!.Regions);
                Assert.Equal(VhostUserBackendOptions.Default.HostVisibleWindowSize, session.HostVisibleWindow.Size);
                foreach (var vring in session.Vrings)
                {
                    var layout = _guest.Queues[vring.Index];
                    Assert.True(vring.IsProcessing);
                    Assert.Equal(layout.Size, vring.Size);
                    Assert.Equal(layout.DescriptorTable, vring.Areas.DescriptorTable.GuestPhysicalAddress);
                    Assert.Equal(layout.AvailableRing, vring.Areas.AvailableRing.GuestPhysicalAddress);
                    Assert.Equal(layout.UsedRing, vring.Areas.UsedRing.GuestPhysicalAddress);
                    Assert.Equal(16 * layout.Size, vring.Areas.DescriptorTable.Length);
                    Assert.NotNull(vring.Kick);
                    Assert.NotNull(vring.Call);
                }
            });
            var device = (RecordingDevice)session.Device;
            Assert.Equal(
                [$"features 0x{expectedAcked:x}", "memory", "started 0", "started 1", "enabled 0 True", "enabled 1 True"],
                device.Events);
        }
    }

    [Fact]
    public void The_rings_see_the_bytes_the_driver_wrote_into_guest_ram()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain);
        using (frontend)
        {
            Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
            Assert.True(frontend.Synchronize().IsSuccess);
            _guest.Ram.GetSpan(_guest.Queues[1].AvailableRing, 4).Fill(0xA5);
            var seen = _backend.Invoke(() => session.Vrings[1].Areas.AvailableRing.AsSpan()[..4].ToArray());
            Assert.Equal(new byte[] { 0xA5, 0xA5, 0xA5, 0xA5 }, seen);
            Assert.True(_backend.Invoke(() =>
                session.Memory!.TryGetSpan(_guest.Queues[0].UsedRing, 8, out var used) && used.Length == 8));
        }
    }

    [Theory]
    [MemberData(nameof(FrontendStyles))]
    public void Kicks_reach_the_device_and_calls_reach_the_newest_call_fd(string style)
    {
        var (frontend, session) = Connect(OptionsFor(style));
        using (frontend)
        {
            Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
            Assert.True(frontend.Synchronize().IsSuccess);
            var device = (RecordingDevice)session.Device;

            frontend.Vrings[1].Kick.Signal();
            Assert.True(_backend.WaitUntil(() => device.Kicks(1) == 1));
            Assert.Equal(0, device.Kicks(0));

            _backend.Invoke(() => session.Vrings[0].SignalGuest());
            // With QEMU's habits the back-end was given placeholders first; only the last call fd counts.
            Assert.Equal(1UL, WaitForSignal(frontend.Vrings[0].Call));
        }
    }

    [Fact]
    public void The_same_handshake_works_over_a_listening_socket_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"crossdomain-vhost-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        var server = _backend.Invoke(() =>
            new VhostUserServer(UnixListener.Bind(path), _backend.Loop, (window, _) => new RecordingDevice(window)));
        try
        {
            using (var frontend = VhostUserFrontend.Connect(path, VhostUserFrontendOptions.QemuLike))
            {
                var outcome = frontend.Handshake(_guest.Memory, _guest.Queues);
                Assert.True(outcome.IsSuccess, outcome.ToString());
                Assert.True(frontend.Synchronize().IsSuccess);
                Assert.Equal(1, _backend.Invoke(() => server.Sessions.Count));
            }
            Assert.True(_backend.WaitUntil(() => server.Sessions.Count == 0));
        }
        finally
        {
            _backend.Invoke(server.Dispose);
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Get_vring_base_stops_the_ring_and_reports_where_the_device_stopped()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.QemuLike);
        using (frontend)
        {
            Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
            // QEMU's power-off: disable, then GET_VRING_BASE on each ring.
            Assert.True(frontend.SetVringEnabled(0, false).IsSuccess);
            Assert.True(frontend.StopVring(0, out ushort next).IsSuccess);
            Assert.Equal(42, next);
            Assert.True(frontend.StopVring(0, out ushort again).IsSuccess);
            Assert.Equal(42, again);

            _backend.Invoke(() =>
            {
                Assert.False(session.Vrings[0].IsStarted);
                Assert.Null(session.Vrings[0].Kick);
                Assert.Equal(42, session.Vrings[0].BaseIndex);
                Assert.True(session.Vrings[1].IsProcessing);
            });
            var device = (RecordingDevice)session.Device;
            frontend.Vrings[0].Kick.Signal();
            Assert.True(frontend.Synchronize().IsSuccess);
            Assert.Equal(0, device.Kicks(0));
            Assert.Contains("enabled 0 False", device.Events);
            Assert.Single(device.Events, e => e == "stopped 0");
        }
    }

    [Fact]
    public void Config_space_is_read_and_written_through_the_device()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.QemuLike);
        using (frontend)
        {
            Assert.True(frontend.Initialize().IsSuccess);
            Assert.Equal(DeviceEvents.Display, ReadConfig(frontend.DeviceConfig).EventsRead);
            Assert.True(frontend.SetConfig(4, BitConverter.GetBytes((uint)DeviceEvents.Display)).IsSuccess);
            Assert.True(frontend.GetConfig(0, 16, out var after).IsSuccess);
            Assert.Equal(DeviceEvents.None, ReadConfig(after).EventsRead);
            // num_scanouts is read-only: refused, with an ack because QEMU asks for one.
            Assert.Equal(FrontendError.Refused, frontend.SetConfig(8, BitConverter.GetBytes(4u)).Error);
            // Past the config space: an empty GET_CONFIG reply, the back-end's "no".
            Assert.Equal(FrontendError.Refused, frontend.GetConfig(12, 8, out _).Error);
            Assert.False(_backend.Invoke(() => session.IsClosed));
        }
    }

    [Fact]
    public void Without_bit_30_the_rings_start_enabled()
    {
        // A front-end that does not speak protocol features: it sees bit 30 but does not ack it.
        using var raw = RawFrontend.Connect(_backend, out var session);
        using var kick = EventFd.Create();
        raw.Negotiate(ProtocolFeatures.ReplyAck, RecordingDevice.CrossDomainFeatures);
        Assert.Equal(0UL, raw.SetMemoryTable(_guest.Ram.Region));
        Assert.Equal(0UL, raw.StartRing(_guest, _guest.Ram.Region, ring: 0, kick));
        _backend.Invoke(() =>
        {
            Assert.True(session.Vrings[0].IsProcessing);
            Assert.False(session.Vrings[1].IsStarted);
            Assert.True(session.Vrings[1].IsEnabled);
        });
    }

    [Fact]
    public void Reset_stops_the_rings_and_forgets_features_and_memory()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        using var kick = EventFd.Create();
        raw.Negotiate(ProtocolFeatures.ReplyAck);
        Assert.Equal(0UL, raw.SetMemoryTable(_guest.Ram.Region));
        Assert.Equal(0UL, raw.StartRing(_guest, _guest.Ram.Region, ring: 0, kick));
        Assert.Equal(0UL, raw.Ack(FrontendRequest.ResetOwner, ReadOnlySpan<byte>.Empty));
        _backend.Invoke(() =>
        {
            Assert.False(session.IsClosed);
            Assert.False(session.HasAckedFeatures);
            Assert.Null(session.Memory);
            Assert.All(session.Vrings, vring => Assert.False(vring.IsStarted || vring.IsEnabled || vring.Size != 0));
        });
        Assert.Equal(["stopped 0", "memory gone", "reset"], ((RecordingDevice)session.Device).Events.TakeLast(3));
    }

    [Fact]
    public void Acking_a_device_feature_that_was_never_offered_ends_the_session()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain);
        using (frontend)
        {
            Assert.True(frontend.Initialize().IsSuccess);
            ulong withEdid = RecordingDevice.CrossDomainFeatures | (ulong)VirtioGpuFeatures.Edid;
            var outcome = frontend.Activate(_guest.Memory, _guest.Queues, withEdid);
            Assert.False(outcome.IsSuccess);
            Assert.True(_backend.WaitUntil(() => session.IsClosed));
            var end = _backend.Invoke(() => session.End!);
            Assert.Equal(SessionEndReason.RequestFailed, end.Reason);
            Assert.Equal(FrontendRequest.SetFeatures, end.Request);
            Assert.Equal(VhostUserRefusalReason.FeatureNotOffered, end.Refusal.Reason);
        }
    }

    [Fact]
    public void A_refused_request_with_need_reply_gets_a_nack_and_the_session_goes_on()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        raw.Negotiate(ProtocolFeatures.ReplyAck);
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringNum, new VringState(0, 3)));        // not a power of two
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringNum, new VringState(0, 65536)));    // over 32768
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringNum, new VringState(9, 256)));      // no ring 9
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringBase, new VringState(0, 0x10000))); // not a split-ring index
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringEnable, new VringState(0, 2)));
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringAddr, new VringAddress { DescriptorTable = 8 })); // misaligned
        Assert.Equal(1UL, raw.Ack((FrontendRequest)77, 0UL));                                 // unknown request
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetProtocolFeatures, (ulong)ProtocolFeatures.LogShmfd)); // never offered
        var (ours, theirs) = UnixSocket.CreatePair();
        using (ours)
        using (theirs)
            Assert.Equal(1UL, raw.Ack(FrontendRequest.SetBackendReqFd, ReadOnlySpan<byte>.Empty, theirs.Handle)); // not negotiated
        using (var slot = MemFd.Create("slot", 4096))
            Assert.Equal(1UL, raw.Ack(FrontendRequest.AddMemReg,
                new SingleMemoryRegion(new MemoryRegion(0, 4096, 4096, 0)), slot));           // CONFIGURE_MEM_SLOTS not negotiated
        using (var small = MemFd.Create("small", 4096))
        {
            var region = new FrontendMemoryRegion(small, 0, 8192, 0x10000);
            Assert.Equal(1UL, raw.SetMemoryTable(region));                                    // fd shorter than the region
        }
        Assert.Equal(0UL, raw.Ack(FrontendRequest.SetVringNum, new VringState(0, 256)));
        Assert.False(_backend.Invoke(() => session.IsClosed));
        Assert.Equal(256, _backend.Invoke(() => session.Vrings[0].Size));
        Assert.Null(_backend.Invoke(() => session.Memory));
    }

    [Fact]
    public void A_kick_before_any_memory_table_is_refused()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        raw.Negotiate(ProtocolFeatures.ReplyAck);
        using var kick = EventFd.Create();
        Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringKick, new VringFdPayload(0, false), kick.Handle));
        Assert.False(_backend.Invoke(() => session.Vrings[0].IsStarted));
    }

    [Fact]
    public void A_kick_fd_that_is_not_an_eventfd_is_refused()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        raw.Negotiate(ProtocolFeatures.ReplyAck);
        var (pipeRead, pipeWrite) = Pipe.Create();
        using (pipeRead)
        using (pipeWrite)
            Assert.Equal(1UL, raw.Ack(FrontendRequest.SetVringCall, new VringFdPayload(0, false), pipeRead));
        Assert.Null(_backend.Invoke(() => session.Vrings[0].Call));
    }

    [Fact]
    public void An_unknown_request_without_need_reply_ends_the_session()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        raw.Send((FrontendRequest)77, 0UL);
        Assert.True(_backend.WaitUntil(() => session.IsClosed));
        Assert.Equal(SessionEndReason.RequestFailed, _backend.Invoke(() => session.End!.Reason));
        Assert.Equal(VhostUserRefusalReason.NotSupported, _backend.Invoke(() => session.End!.Refusal.Reason));
    }

    [Fact]
    public void A_malformed_message_ends_that_session_only()
    {
        var (frontend, healthy) = Connect(VhostUserFrontendOptions.QemuLike);
        using (frontend)
        using (var raw = RawFrontend.Connect(_backend, out var broken))
        {
            Assert.True(frontend.Initialize().IsSuccess);
            raw.SendRaw([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0]); // version 0
            Assert.True(_backend.WaitUntil(() => broken.IsClosed));
            var end = _backend.Invoke(() => broken.End!);
            Assert.Equal(SessionEndReason.MalformedMessage, end.Reason);
            Assert.Equal(ChannelError.BadVersion, end.ChannelError);

            Assert.True(frontend.Activate(_guest.Memory, _guest.Queues).IsSuccess);
            Assert.True(frontend.Synchronize().IsSuccess);
            Assert.False(_backend.Invoke(() => healthy.IsClosed));
        }
    }

    [Fact]
    public void A_device_that_throws_ends_its_session_not_the_loop()
    {
        var (frontend, session) = Connect(VhostUserFrontendOptions.Plain, configure: device =>
        {
            device.ThrowOnKick = true;
            return device;
        });
        using (frontend)
        {
            Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
            frontend.Vrings[0].Kick.Signal();
            Assert.True(_backend.WaitUntil(() => session.IsClosed));
            Assert.Equal(SessionEndReason.InternalFault, _backend.Invoke(() => session.End!.Reason));
            // The loop still serves.
            Assert.Equal(7, _backend.Invoke(() => 7));
        }
    }

    [Fact]
    public void Replacing_the_memory_table_retranslates_running_rings_and_unmaps_the_old_table()
    {
        using var first = new TestGuest("vhost-swap-first");
        using var second = new TestGuest("vhost-swap-second");
        using var raw = RawFrontend.Connect(_backend, out var session);
        using var kick = EventFd.Create();
        raw.Negotiate(ProtocolFeatures.ReplyAck);
        Assert.Equal(0UL, raw.SetMemoryTable(first.Ram.Region));
        Assert.Equal(0UL, raw.StartRing(first, first.Ram.Region, ring: 0, kick));
        Assert.Equal(2, MappingCount("vhost-swap-first")); // the test's and the session's
        nint before = _backend.Invoke(() => session.Vrings[0].Areas.UsedRing.HostAddress);

        // The same guest-physical and user addresses, now backed by another memfd (a hot-plug
        // replaces the table the same way).
        var replacement = first.Ram.Region with { Fd = second.Ram.Region.Fd };
        Assert.Equal(0UL, raw.SetMemoryTable(replacement));
        _backend.Invoke(() =>
        {
            Assert.True(session.Vrings[0].IsStarted);
            Assert.NotEqual(before, session.Vrings[0].Areas.UsedRing.HostAddress);
        });
        second.Ram.GetSpan(first.Queues[0].UsedRing, 2).Fill(0x77);
        Assert.Equal(0x77, _backend.Invoke(() => session.Vrings[0].Areas.UsedRing.AsSpan()[0]));
        Assert.Equal(1, MappingCount("vhost-swap-first"));
        Assert.Equal(2, MappingCount("vhost-swap-second"));

        // A table the ring does not fit in stops the ring instead of leaving it pointing at nothing.
        var elsewhere = second.Ram.Region with { UserAddress = 0x1000_0000 };
        Assert.Equal(0UL, raw.SetMemoryTable(elsewhere));
        _backend.Invoke(() => Assert.False(session.Vrings[0].IsStarted));
        Assert.Contains("stopped 0", ((RecordingDevice)session.Device).Events);
    }

    [Fact]
    public void Memory_slots_add_and_remove_regions_and_a_ring_in_a_removed_region_stops()
    {
        using var raw = RawFrontend.Connect(_backend, out var session);
        using var kick = EventFd.Create();
        raw.Negotiate(ProtocolFeatures.ReplyAck | ProtocolFeatures.ConfigureMemSlots);
        Assert.Equal((ulong)VhostUserBackendOptions.Default.MaxMemorySlots, raw.U64(FrontendRequest.GetMaxMemSlots));
        var region = new SingleMemoryRegion(_guest.Ram.Region.ToWire());
        Assert.Equal(0UL, raw.Ack(FrontendRequest.AddMemReg, region, _guest.Ram.Region.Fd));
        Assert.Equal(1UL, raw.Ack(FrontendRequest.AddMemReg, region, _guest.Ram.Region.Fd)); // overlaps itself
        Assert.Equal(0UL, raw.StartRing(_guest, _guest.Ram.Region, ring: 1, kick));

        Assert.Equal(1UL, raw.Ack(FrontendRequest.RemMemReg,
            new SingleMemoryRegion(new MemoryRegion(TestGuest.GuestPhysicalBase, 4096, 0, 0))));  // no such region
        Assert.Equal(0UL, raw.Ack(FrontendRequest.RemMemReg, region, _guest.Ram.Region.Fd));      // QEMU attaches the fd
        _backend.Invoke(() =>
        {
            Assert.False(session.Vrings[1].IsStarted);
            Assert.Empty(session.MemoryMap!.Regions);
        });
        Assert.Equal(1, MappingCount("vhost-test-ram"));
    }

    [Fact]
    public void Disconnecting_mid_handshake_ends_the_session_and_releases_everything()
    {
        var before = FdAccounting.Snapshot();
        foreach (int step in new[] { 0, 1, 2 })
        {
            var (frontend, session) = Connect(VhostUserFrontendOptions.QemuLike);
            using (frontend)
            {
                if (step >= 1) Assert.True(frontend.Initialize().IsSuccess);
                if (step >= 2)
                {
                    Assert.True(frontend.SendDisplaySocket().IsSuccess);
                    Assert.True(frontend.Synchronize().IsSuccess);
                }
            }
            Assert.True(_backend.WaitUntil(() => session.IsClosed));
            Assert.Equal(SessionEndReason.PeerClosed, _backend.Invoke(() => session.End!.Reason));
        }

        // Cut inside a message, with an fd already on its way.
        using (var raw = RawFrontend.Connect(_backend, out var session))
        using (var kick = EventFd.Create())
        {
            raw.SendRaw([12, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0], kick.Handle);
            raw.Dispose();
            Assert.True(_backend.WaitUntil(() => session.IsClosed));
            Assert.Equal(ChannelError.TruncatedMessage, _backend.Invoke(() => session.End!.ChannelError));
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    private (VhostUserFrontend Frontend, VhostUserBackendSession Session) Connect(VhostUserFrontendOptions options,
        VhostUserBackendOptions? backendOptions = null, Func<RecordingDevice, RecordingDevice>? configure = null)
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        var session = _backend.StartSession(theirs, backendOptions, configure);
        return (new VhostUserFrontend(ours, options), session);
    }

    private static DeviceConfig ReadConfig(byte[] bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.Read<DeviceConfig>(bytes);

    private static ulong WaitForSignal(EventFd eventFd)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        ulong count;
        while ((count = eventFd.Consume()) == 0 && DateTime.UtcNow < deadline) Thread.Sleep(2);
        return count;
    }

    internal static int MappingCount(string memfdName) =>
        File.ReadAllLines("/proc/self/maps").Count(line => line.Contains($"/memfd:{memfdName} "));
}

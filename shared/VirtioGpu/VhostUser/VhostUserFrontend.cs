using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The VMM side of a vhost-user connection, as local mode and the tests need it: the handshake
/// QEMU and crosvm perform (VHOST-USER.md §9.1/§9.2) in two steps — <see cref="Initialize"/>
/// (device realize) and <see cref="Activate"/> (the guest driver's DRIVER_OK) — with
/// <see cref="VhostUserFrontendOptions"/> to reproduce QEMU's habits, and the back-end channel,
/// whose SHMEM_MAP / SHMEM_UNMAP requests land in a <see cref="SharedMemoryWindow"/>.
/// <para>
/// Blocking and single-threaded: each request waits for its reply (serving back-end requests
/// meanwhile, so a back-end that waits for a SHMEM_MAP ack while we wait for it cannot
/// deadlock us). Nothing the back-end sends throws: failures come back as a <see cref="FrontendOutcome"/>.
/// </para>
/// </summary>
public sealed class VhostUserFrontend : IDisposable
{
    private const ulong ProtocolFeaturesBit = (ulong)TransportFeatures.VhostUserProtocolFeatures;

    private readonly VhostUserChannel _channel;
    private readonly VhostUserFrontendOptions _options;
    private VhostUserChannel? _backendChannel;
    private readonly List<FrontendVring> _vrings = [];
    private readonly List<UnixSocket> _displayPeers = [];
    private bool _initialized;

    public VhostUserFrontend(UnixSocket socket, VhostUserFrontendOptions? options = null)
    {
        _channel = new VhostUserChannel(socket, MessageRules.FrontendReplies);
        _options = options ?? VhostUserFrontendOptions.Plain;
    }

    /// <summary>Connects to a back-end listening at <paramref name="socketPath"/>.</summary>
    public static VhostUserFrontend Connect(string socketPath, VhostUserFrontendOptions? options = null) =>
        new(UnixSocket.Connect(socketPath), options);

    /// <summary>
    /// The front-end's end of the vhost-user socket. The back-end sends nothing on it unasked, and
    /// every reply is read by the call that asked, so between calls it turns readable only when the
    /// back-end hangs up.
    /// </summary>
    public FileDescriptor ChannelHandle => _channel.Handle;

    /// <summary>GET_FEATURES: device bits, transport bits and bit 30.</summary>
    public ulong BackendFeatures { get; private set; }

    public ProtocolFeatures BackendProtocolFeatures { get; private set; }

    public ProtocolFeatures NegotiatedProtocolFeatures { get; private set; }

    /// <summary>GET_QUEUE_NUM, or the default when MQ was not offered.</summary>
    public int QueueCount { get; private set; }

    /// <summary>GET_SHMEM_CONFIG's sizes, indexed by shmid; empty without SHMEM.</summary>
    public IReadOnlyList<ulong> ShmemRegionSizes { get; private set; } = [];

    /// <summary>The host-visible window (shmid 1); null until initialized, of size 0 when the back-end has none.</summary>
    public SharedMemoryWindow? Window { get; private set; }

    /// <summary>The config space read at start-up; empty without CONFIG.</summary>
    public byte[] DeviceConfig { get; private set; } = [];

    /// <summary>SET_FEATURES as sent.</summary>
    public ulong AckedFeatures { get; private set; }

    /// <summary>GET_MAX_MEM_SLOTS, when memory slots were used.</summary>
    public ulong MaxMemorySlots { get; private set; }

    public IReadOnlyList<FrontendVring> Vrings => _vrings;

    /// <summary>Our ends of the display sockets handed over (QEMU's side), newest last.</summary>
    public IReadOnlyList<UnixSocket> DisplayPeers => _displayPeers;

    public FileDescriptor? BackendChannelHandle => _backendChannel?.Handle;

    /// <summary>Why the back-end channel stopped, once it has.</summary>
    public ChannelError BackendChannelError { get; private set; }

    /// <summary>Why the main socket stopped, once it has.</summary>
    public ChannelError ChannelError => _channel.Error;

    private bool Negotiated(ProtocolFeatures feature) => (NegotiatedProtocolFeatures & feature) == feature;

    /// <summary>Both steps of the handshake.</summary>
    public FrontendOutcome Handshake(IReadOnlyList<FrontendMemoryRegion> memory, IReadOnlyList<FrontendVringLayout> queues,
        ulong? driverFeatures = null)
    {
        var outcome = Initialize();
        return outcome.IsSuccess ? Activate(memory, queues, driverFeatures) : outcome;
    }

    /// <summary>
    /// What a VMM does when it creates the device: features, protocol features, queue count,
    /// ownership, the back-end channel, the shared memory regions and the config space.
    /// </summary>
    public FrontendOutcome Initialize()
    {
        if (_initialized) return new FrontendOutcome(FrontendError.WrongState);
        var outcome = ExchangeU64(FrontendRequest.GetFeatures, out ulong features);
        if (!outcome.IsSuccess) return outcome;
        BackendFeatures = features;

        if ((BackendFeatures & ProtocolFeaturesBit) != 0)
        {
            outcome = ExchangeU64(FrontendRequest.GetProtocolFeatures, out ulong protocol);
            if (!outcome.IsSuccess) return outcome;
            BackendProtocolFeatures = (ProtocolFeatures)protocol;
            var wanted = _options.RequestedProtocolFeatures |
                (_options.UseMemorySlots ? ProtocolFeatures.ConfigureMemSlots : ProtocolFeatures.None);
            var agreed = BackendProtocolFeatures & wanted;
            outcome = Send(FrontendRequest.SetProtocolFeatures, (ulong)agreed);
            if (!outcome.IsSuccess) return outcome;
            NegotiatedProtocolFeatures = agreed;
        }

        QueueCount = _options.DefaultQueueCount;
        if (Negotiated(ProtocolFeatures.Mq))
        {
            outcome = ExchangeU64(FrontendRequest.GetQueueNum, out ulong queueCount);
            if (!outcome.IsSuccess) return outcome;
            if (queueCount is 0 or > VhostUserLimits.MaxQueues) return new FrontendOutcome(FrontendError.BadReply, FrontendRequest.GetQueueNum);
            QueueCount = (int)queueCount;
        }

        outcome = Send(FrontendRequest.SetOwner, ReadOnlySpan<byte>.Empty);
        if (!outcome.IsSuccess) return outcome;

        if (_options.ReplaceCallFds)
        {
            // QEMU probes the features once more after SET_OWNER, then parks every ring's
            // notifiers on eventfds of its own until the guest driver is ready.
            outcome = ExchangeU64(FrontendRequest.GetFeatures, out _);
            if (!outcome.IsSuccess) return outcome;
            for (int i = 0; i < QueueCount; i++)
            {
                outcome = SendPlaceholderFd(FrontendRequest.SetVringCall, i);
                if (outcome.IsSuccess) outcome = SendPlaceholderFd(FrontendRequest.SetVringErr, i);
                if (!outcome.IsSuccess) return outcome;
            }
        }

        if (Negotiated(ProtocolFeatures.BackendReq))
        {
            outcome = OpenBackendChannel();
            if (!outcome.IsSuccess) return outcome;
        }

        if (Negotiated(ProtocolFeatures.Shmem))
        {
            outcome = ReadShmemConfig();
            if (!outcome.IsSuccess) return outcome;
        }
        Window ??= SharedMemoryWindow.Reserve(0);

        if (Negotiated(ProtocolFeatures.Config))
        {
            outcome = GetConfig(0, _options.ConfigSize, out byte[] config);
            if (!outcome.IsSuccess) return outcome;
            DeviceConfig = config;
        }
        _initialized = true;
        return FrontendOutcome.Success;
    }

    /// <summary>
    /// What a VMM does at DRIVER_OK: the display socket (when asked for), SET_FEATURES, guest RAM,
    /// then each ring (size, base, addresses, kick, call) and SET_VRING_ENABLE with NEED_REPLY.
    /// <paramref name="driverFeatures"/> are the bits the "guest driver" acked (default: every
    /// offered device bit); bit 30 is added when offered.
    /// </summary>
    public FrontendOutcome Activate(IReadOnlyList<FrontendMemoryRegion> memory, IReadOnlyList<FrontendVringLayout> queues,
        ulong? driverFeatures = null)
    {
        if (!_initialized || _vrings.Count > 0) return new FrontendOutcome(FrontendError.WrongState);
        if (queues.Count > QueueCount) return new FrontendOutcome(FrontendError.NotNegotiated, FrontendRequest.GetQueueNum);
        var userAddresses = TranslateLayouts(memory, queues);

        FrontendOutcome outcome;
        for (int i = 0; i < _options.DisplaySocketCount; i++)
        {
            outcome = SendDisplaySocket();
            if (!outcome.IsSuccess) return outcome;
        }
        if (_options.ReplaceCallFds)
        {
            for (int i = 0; i < queues.Count; i++)
            {
                outcome = SendPlaceholderFd(FrontendRequest.SetVringCall, i);
                if (!outcome.IsSuccess) return outcome;
            }
        }

        ulong acked = driverFeatures ?? (BackendFeatures & ~ProtocolFeaturesBit);
        acked |= BackendFeatures & ProtocolFeaturesBit;
        if (_options.AckTransportFeaturesWithoutOffer) acked |= (ulong)TransportFeatures.AckedWithoutOffer;
        outcome = Send(FrontendRequest.SetFeatures, acked);
        if (!outcome.IsSuccess) return outcome;
        AckedFeatures = acked;

        outcome = ShareMemory(memory);
        if (!outcome.IsSuccess) return outcome;

        for (int i = 0; i < queues.Count; i++)
        {
            var vring = new FrontendVring(i, queues[i]);
            _vrings.Add(vring);
            outcome = SetUpVring(vring, userAddresses);
            if (!outcome.IsSuccess) return outcome;
        }

        if ((acked & ProtocolFeaturesBit) != 0)
        {
            foreach (var vring in _vrings)
            {
                outcome = SetVringEnabled(vring.Index, enabled: true);
                if (!outcome.IsSuccess) return outcome;
            }
        }
        else
        {
            // Without bit 30 the back-end enables rings by itself.
            foreach (var vring in _vrings) vring.IsEnabled = true;
        }

        if (_options.ReplaceCallFds)
        {
            // QEMU unmasks interrupts last: only now does the back-end get the real call fds.
            foreach (var vring in _vrings)
            {
                outcome = SendVringFd(FrontendRequest.SetVringCall, vring.Index, vring.Call.Handle);
                if (!outcome.IsSuccess) return outcome;
            }
        }
        return FrontendOutcome.Success;
    }

    /// <summary>
    /// A round trip (GET_FEATURES, as QEMU uses it for the same purpose): the back-end handles
    /// requests in order, so when this returns it has handled everything sent before.
    /// </summary>
    internal FrontendOutcome Synchronize() => ExchangeU64(FrontendRequest.GetFeatures, out _);

    /// <summary>GET_CONFIG of <paramref name="size"/> bytes at <paramref name="offset"/>.</summary>
    public FrontendOutcome GetConfig(uint offset, uint size, out byte[] config)
    {
        config = [];
        if (size > VhostUserLimits.MaxConfigSize) throw new ArgumentOutOfRangeException(nameof(size));
        int headerLength = Unsafe.SizeOf<ConfigSpaceHeader>();
        Span<byte> request = stackalloc byte[headerLength + (int)size];
        request.Clear();
        var header = new ConfigSpaceHeader(offset, size);
        MemoryMarshal.Write(request, in header);

        var outcome = Exchange(FrontendRequest.GetConfig, request, default, ReplyKind.Body, out var reply);
        if (!outcome.IsSuccess) return outcome;
        using (reply)
        {
            if (reply!.Payload.IsEmpty) return new FrontendOutcome(FrontendError.Refused, FrontendRequest.GetConfig);
            if (!reply.TryRead(out ConfigSpaceHeader echoed) || echoed.Offset != offset || echoed.Size != size
                || reply.Payload.Length != headerLength + (int)size)
                return new FrontendOutcome(FrontendError.BadReply, FrontendRequest.GetConfig);
            config = reply.Payload[headerLength..].ToArray();
            return FrontendOutcome.Success;
        }
    }

    /// <summary>SET_CONFIG, as a guest writing config space (acked when REPLY_ACK is negotiated, as QEMU asks).</summary>
    public FrontendOutcome SetConfig(uint offset, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > VhostUserLimits.MaxConfigSize) throw new ArgumentOutOfRangeException(nameof(bytes));
        int headerLength = Unsafe.SizeOf<ConfigSpaceHeader>();
        Span<byte> request = stackalloc byte[headerLength + bytes.Length];
        var header = new ConfigSpaceHeader(offset, (uint)bytes.Length);
        MemoryMarshal.Write(request, in header);
        bytes.CopyTo(request[headerLength..]);
        return Exchange(FrontendRequest.SetConfig, request, default, ReplyKind.Ack, out _);
    }

    /// <summary>SET_VRING_ENABLE with NEED_REPLY (when REPLY_ACK is negotiated), as QEMU sends it.</summary>
    public FrontendOutcome SetVringEnabled(int index, bool enabled)
    {
        var state = new VringState((uint)index, enabled ? 1u : 0u);
        var outcome = Exchange(FrontendRequest.SetVringEnable, AsBytes(state), default, ReplyKind.Ack, out _);
        if (outcome.IsSuccess && index < _vrings.Count) _vrings[index].IsEnabled = enabled;
        return outcome;
    }

    /// <summary>GET_VRING_BASE: stops the ring and learns where the device stopped.</summary>
    public FrontendOutcome StopVring(int index, out ushort nextAvailableIndex)
    {
        nextAvailableIndex = 0;
        var state = new VringState((uint)index, 0);
        var outcome = Exchange(FrontendRequest.GetVringBase, AsBytes(state), default, ReplyKind.Body, out var reply);
        if (!outcome.IsSuccess) return outcome;
        using (reply)
        {
            if (!reply!.TryRead(out VringState answer) || answer.Index != (uint)index)
                return new FrontendOutcome(FrontendError.BadReply, FrontendRequest.GetVringBase);
            nextAvailableIndex = (ushort)answer.Number;
        }
        if (index < _vrings.Count) _vrings[index].IsStarted = false;
        return FrontendOutcome.Success;
    }

    /// <summary>GPU_SET_SOCKET with a fresh socketpair; our end joins <see cref="DisplayPeers"/>.</summary>
    public FrontendOutcome SendDisplaySocket()
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        _displayPeers.Add(ours);
        using (theirs)
        {
            return Exchange(FrontendRequest.GpuSetSocket, ReadOnlySpan<byte>.Empty, [theirs.Handle], ReplyKind.None, out _);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for back-end requests, then serves all
    /// that are waiting. Returns how many were served.
    /// </summary>
    public int ServeBackendRequests(int timeoutMilliseconds)
    {
        if (_backendChannel is null) return 0;
        if (!ReadinessWait.Wait(_backendChannel.Handle.Fd, ReadinessWait.Readable, timeoutMilliseconds)) return 0;
        return ServePendingBackendRequests();
    }

    public void Dispose()
    {
        foreach (var vring in _vrings) vring.Dispose();
        _vrings.Clear();
        foreach (var peer in _displayPeers) peer.Dispose();
        _displayPeers.Clear();
        _backendChannel?.Dispose();
        _backendChannel = null;
        Window?.Dispose();
        _channel.Dispose();
    }

    private ulong[] TranslateLayouts(IReadOnlyList<FrontendMemoryRegion> memory, IReadOnlyList<FrontendVringLayout> queues)
    {
        var addresses = new ulong[queues.Count * 3];
        for (int i = 0; i < queues.Count; i++)
        {
            var layout = queues[i];
            addresses[3 * i] = UserAddressOf(memory, layout.DescriptorTable, layout.DescriptorTableLength, i);
            addresses[3 * i + 1] = UserAddressOf(memory, layout.AvailableRing, layout.AvailableRingLength, i);
            addresses[3 * i + 2] = UserAddressOf(memory, layout.UsedRing, layout.UsedRingLength, i);
        }
        return addresses;
    }

    private static ulong UserAddressOf(IReadOnlyList<FrontendMemoryRegion> memory, ulong address, ulong length, int queue)
    {
        foreach (var region in memory)
        {
            if (region.TryGetUserAddress(address, length, out ulong user)) return user;
        }
        throw new ArgumentException($"Queue {queue}: guest-physical 0x{address:x} (+{length}) is outside the memory regions given.");
    }

    private FrontendOutcome SetUpVring(FrontendVring vring, ReadOnlySpan<ulong> allUserAddresses)
    {
        uint index = (uint)vring.Index;
        var layout = vring.Layout;
        var outcome = Send(FrontendRequest.SetVringNum, new VringState(index, layout.Size));
        if (outcome.IsSuccess) outcome = Send(FrontendRequest.SetVringBase, new VringState(index, layout.BaseIndex));
        if (outcome.IsSuccess)
        {
            var address = new VringAddress
            {
                Index = index,
                DescriptorTable = allUserAddresses[3 * vring.Index],
                AvailableRing = allUserAddresses[3 * vring.Index + 1],
                UsedRing = allUserAddresses[3 * vring.Index + 2],
            };
            outcome = Send(FrontendRequest.SetVringAddr, address);
        }
        if (outcome.IsSuccess) outcome = SendVringFd(FrontendRequest.SetVringKick, vring.Index, vring.Kick.Handle);
        if (outcome.IsSuccess && !_options.ReplaceCallFds)
            outcome = SendVringFd(FrontendRequest.SetVringCall, vring.Index, vring.Call.Handle);
        if (outcome.IsSuccess) vring.IsStarted = true;
        return outcome;
    }

    private FrontendOutcome ShareMemory(IReadOnlyList<FrontendMemoryRegion> memory)
    {
        var reply = _options.NeedReplyOnMemoryTable ? ReplyKind.Ack : ReplyKind.None;
        if (_options.UseMemorySlots && Negotiated(ProtocolFeatures.ConfigureMemSlots))
        {
            var outcome = ExchangeU64(FrontendRequest.GetMaxMemSlots, out ulong slots);
            if (!outcome.IsSuccess) return outcome;
            MaxMemorySlots = slots;
            if (slots < (ulong)memory.Count) return new FrontendOutcome(FrontendError.NotNegotiated, FrontendRequest.GetMaxMemSlots);
            foreach (var region in memory)
            {
                var single = new SingleMemoryRegion(region.ToWire());
                outcome = Exchange(FrontendRequest.AddMemReg, AsBytes(single), [region.Fd], reply, out _);
                if (!outcome.IsSuccess) return outcome;
            }
            return FrontendOutcome.Success;
        }

        if (memory.Count > VhostUserLimits.MaxMemTableRegions)
            throw new ArgumentException($"SET_MEM_TABLE carries at most {VhostUserLimits.MaxMemTableRegions} regions.", nameof(memory));
        var table = new MemoryTable { RegionCount = (uint)memory.Count };
        var fds = new FileDescriptor[memory.Count];
        for (int i = 0; i < memory.Count; i++)
        {
            table.Regions[i] = memory[i].ToWire();
            fds[i] = memory[i].Fd;
        }
        var payload = AsBytes(table)[..MemoryTable.PayloadLength(memory.Count)];
        return Exchange(FrontendRequest.SetMemTable, payload, fds, reply, out _);
    }

    private FrontendOutcome OpenBackendChannel()
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        _backendChannel = new VhostUserChannel(ours, MessageRules.BackendRequests);
        using (theirs)
        {
            // QEMU asks for an ack here, so the channel is known to be in place before anything else.
            return Exchange(FrontendRequest.SetBackendReqFd, ReadOnlySpan<byte>.Empty, [theirs.Handle], ReplyKind.Ack, out _);
        }
    }

    private FrontendOutcome ReadShmemConfig()
    {
        var outcome = Exchange(FrontendRequest.GetShmemConfig, ReadOnlySpan<byte>.Empty, default, ReplyKind.Body, out var reply);
        if (!outcome.IsSuccess) return outcome;
        using (reply)
        {
            var config = new ShmemConfig();
            var payload = reply!.Payload;
            payload.CopyTo(MemoryMarshal.AsBytes(new Span<ShmemConfig>(ref config)));
            int entries = (payload.Length - ShmemConfig.HeaderLength) / sizeof(ulong);
            if (config.RegionCount > (uint)entries) return new FrontendOutcome(FrontendError.BadReply, FrontendRequest.GetShmemConfig);
            var sizes = new ulong[config.RegionCount];
            for (int i = 0; i < sizes.Length; i++) sizes[i] = config.RegionSizes[i];
            ShmemRegionSizes = sizes;
        }

        ulong windowSize = ShmemRegionSizes.Count > 1 ? ShmemRegionSizes[1] : 0;
        if (windowSize > _options.MaxWindowSize || windowSize % (ulong)Environment.SystemPageSize != 0)
            return new FrontendOutcome(FrontendError.BadReply, FrontendRequest.GetShmemConfig);
        Window = SharedMemoryWindow.Reserve(windowSize);
        return FrontendOutcome.Success;
    }

    private FrontendOutcome SendPlaceholderFd(FrontendRequest request, int index)
    {
        using var placeholder = EventFd.Create();
        return SendVringFd(request, index, placeholder.Handle);
    }

    private FrontendOutcome SendVringFd(FrontendRequest request, int index, FileDescriptor fd)
    {
        var payload = new VringFdPayload((uint)index, noFd: false);
        return Exchange(request, AsBytes(payload), [fd], ReplyKind.None, out _);
    }

    private FrontendOutcome Send<T>(FrontendRequest request, in T payload) where T : unmanaged =>
        Exchange(request, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in payload)), default, ReplyKind.None, out _);

    private FrontendOutcome Send(FrontendRequest request, ReadOnlySpan<byte> payload) =>
        Exchange(request, payload, default, ReplyKind.None, out _);

    private FrontendOutcome ExchangeU64(FrontendRequest request, out ulong value)
    {
        value = 0;
        var outcome = Exchange(request, ReadOnlySpan<byte>.Empty, default, ReplyKind.Body, out var reply);
        if (!outcome.IsSuccess) return outcome;
        using (reply)
        {
            return reply!.TryRead(out value) ? FrontendOutcome.Success : new FrontendOutcome(FrontendError.BadReply, request);
        }
    }

    private enum ReplyKind
    {
        /// <summary>Fire and forget.</summary>
        None,

        /// <summary>NEED_REPLY when REPLY_ACK is negotiated; the ack is checked and consumed.</summary>
        Ack,

        /// <summary>The request has a reply body; it is handed back.</summary>
        Body,
    }

    private FrontendOutcome Exchange(FrontendRequest request, ReadOnlySpan<byte> payload, ReadOnlySpan<FileDescriptor> fds,
        ReplyKind replyKind, out VhostUserMessage? reply)
    {
        reply = null;
        bool wantsAck = replyKind == ReplyKind.Ack && Negotiated(ProtocolFeatures.ReplyAck);
        var flags = MessageFlags.Version1 | (wantsAck ? MessageFlags.NeedReply : MessageFlags.None);
        var status = _channel.Send((uint)request, flags, payload, fds);
        if (status == SendStatus.Queued) status = _channel.FlushWithin(_options.ReplyTimeoutMilliseconds);
        if (status != SendStatus.Sent) return Broken(request);
        if (replyKind == ReplyKind.Body) return AwaitReply(request, out reply);
        if (!wantsAck) return FrontendOutcome.Success;

        var outcome = AwaitReply(request, out var ack);
        if (!outcome.IsSuccess) return outcome;
        using (ack)
        {
            if (!ack!.TryRead(out ulong result)) return new FrontendOutcome(FrontendError.BadReply, request);
            return result == 0 ? FrontendOutcome.Success : new FrontendOutcome(FrontendError.Refused, request);
        }
    }

    private FrontendOutcome AwaitReply(FrontendRequest request, out VhostUserMessage? reply)
    {
        long deadline = Environment.TickCount64 + _options.ReplyTimeoutMilliseconds;
        while (true)
        {
            var result = _channel.TryReceive(out reply);
            if (result.IsMessage)
            {
                if (reply!.Request == (uint)request) return FrontendOutcome.Success;
                reply.Dispose();
                reply = null;
                _channel.Break(ChannelError.MismatchedReply);
                return Broken(request);
            }
            if (result.IsFinal) return Broken(request);

            long remaining = deadline - Environment.TickCount64;
            int ready = remaining <= 0 ? 0 : ReadinessWait.WaitEither(
                _channel.Handle.Fd, ReadinessWait.Readable,
                _backendChannel?.Handle.Fd ?? -1, ReadinessWait.Readable, (int)remaining);
            if (ready == 0)
            {
                // A reply that comes later would be taken for the next request's: stop here.
                _channel.Break(ChannelError.TimedOut);
                return new FrontendOutcome(FrontendError.TimedOut, request, ChannelError.TimedOut);
            }
            if (ready == 2) ServePendingBackendRequests();
        }
    }

    private FrontendOutcome Broken(FrontendRequest request) =>
        new(FrontendError.ChannelBroken, request, _channel.Error);

    private int ServePendingBackendRequests()
    {
        int served = 0;
        while (_backendChannel is { } channel)
        {
            var result = channel.TryReceive(out var message);
            if (result.Status == ReceiveStatus.WouldBlock) break;
            if (result.IsFinal)
            {
                BackendChannelError = channel.Error;
                channel.Dispose();
                _backendChannel = null;
                break;
            }
            using (message)
            {
                bool succeeded = ServeBackendRequest(message!);
                Acknowledge(channel, message!, succeeded);
            }
            served++;
        }
        return served;
    }

    private bool ServeBackendRequest(VhostUserMessage message)
    {
        switch ((BackendRequest)message.Request)
        {
            case BackendRequest.ShmemMap:
            {
                using var fd = message.TakeFd(0);
                return message.TryRead(out ShmemMapping map) && IsHostVisible(map)
                    && (map.Flags & ~ShmemMapFlags.Writable) == 0
                    && Window!.TryMap(fd!, map.FdOffset, map.ShmOffset, map.Length, (map.Flags & ShmemMapFlags.Writable) != 0);
            }
            case BackendRequest.ShmemUnmap:
                return message.TryRead(out ShmemMapping unmap) && IsHostVisible(unmap)
                    && Window!.TryUnmap(unmap.ShmOffset, unmap.Length);
            case BackendRequest.ConfigChangeMsg:
                return true;
            default:
                return false;
        }
    }

    private bool IsHostVisible(in ShmemMapping mapping) => mapping.ShmId == 1 && Window is { Size: > 0 };

    private void Acknowledge(VhostUserChannel channel, VhostUserMessage message, bool succeeded)
    {
        // The spec: an ack only when REPLY_ACK is negotiated and the request asked for one.
        if (!message.NeedsReply || !Negotiated(ProtocolFeatures.ReplyAck)) return;
        ulong result = succeeded ? 0UL : 1UL;
        var status = channel.Send(message.Request, MessageFlags.Version1 | MessageFlags.Reply, result);
        if (status == SendStatus.Queued) channel.FlushWithin(_options.ReplyTimeoutMilliseconds);
    }

    private static ReadOnlySpan<byte> AsBytes<T>(in T value) where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
}

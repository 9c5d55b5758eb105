using CrossDomain.VirtioGpu.Virtqueue;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// One front-end connection of the vhost-user GPU back-end: the state machine behind every
/// request of VHOST-USER.md §4, driven by readiness on the session's <see cref="EventLoop"/>
/// (it never blocks, except for the bounded wait of a SHMEM_MAP ack).
/// <para>
/// The front-end is semi-trusted: whatever it sends ends, at worst, this session. A request
/// that fails is refused with a non-zero ack when the front-end asked for one (NEED_REPLY with
/// REPLY_ACK); otherwise the session ends, because the front-end cannot know and the device
/// would run broken. Every fd that arrives is owned and closed when replaced or at the end.
/// </para>
/// <para>Everything runs on the loop thread: construct, call and dispose it there.</para>
/// </summary>
public sealed class VhostUserBackendSession : IDisposable
{
    private const ulong ProtocolFeaturesBit = (ulong)TransportFeatures.VhostUserProtocolFeatures;
    private static int s_lastId;

    private readonly EventLoop _loop;
    private readonly VhostUserChannel _frontendChannel;
    private readonly VhostUserBackendOptions _options;
    private readonly ILogger _logger;
    private readonly BackendChannelWindow _window;
    private readonly VhostUserVring[] _vrings;
    private readonly FdWatch _watch;
    private GuestMemoryMap? _memory;

    /// <param name="connection">The accepted socket; the session owns it from here.</param>
    /// <param name="createDevice">Builds the device, given the host-visible window it maps blobs into.</param>
    public VhostUserBackendSession(UnixSocket connection, EventLoop loop,
        Func<IHostVisibleWindow, IVhostUserDevice> createDevice, VhostUserBackendOptions? options = null, ILogger? logger = null)
    {
        _loop = loop;
        _options = options ?? VhostUserBackendOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _frontendChannel = new VhostUserChannel(connection, MessageRules.FrontendRequests);
        _window = new BackendChannelWindow(_options.BackendReplyTimeoutMilliseconds,
            (request, error) => VhostUserLog.BackendChannelGivenUp(_logger, Id, request, error));
        try
        {
            Device = createDevice(_window);
            int queueCount = Device.QueueCount;
            if (queueCount is < 1 or > VhostUserLimits.MaxQueues)
                throw new ArgumentException($"A device needs 1 to {VhostUserLimits.MaxQueues} queues, not {queueCount}.", nameof(createDevice));
            _vrings = new VhostUserVring[queueCount];
            for (int i = 0; i < queueCount; i++) _vrings[i] = new VhostUserVring(i);
            _watch = loop.Watch(connection.Handle, Readiness.Readable, OnReadiness);
        }
        catch
        {
            _window.Dispose();
            _frontendChannel.Dispose();
            throw;
        }
        Id = Interlocked.Increment(ref s_lastId);
        VhostUserLog.SessionStarted(_logger, Id);
    }

    /// <summary>A number for the log.</summary>
    public int Id { get; }

    /// <summary>The loop the session and its device run on: call into either only there.</summary>
    public EventLoop Loop => _loop;

    public IVhostUserDevice Device { get; }

    /// <summary>GET_FEATURES: the device's bits and bit 30.</summary>
    public ulong OfferedFeatures => Device.DeviceFeatures | ProtocolFeaturesBit;

    /// <summary>SET_FEATURES as received (transport bits QEMU adds on its own included); 0 until then.</summary>
    public ulong AckedFeatures { get; private set; }

    public bool HasAckedFeatures { get; private set; }

    /// <summary>Negotiated protocol features (SET_PROTOCOL_FEATURES).</summary>
    public ProtocolFeatures ProtocolFeatures { get; private set; }

    public bool HasOwner { get; private set; }

    /// <summary>The guest memory of the current table; null until SET_MEM_TABLE or ADD_MEM_REG.</summary>
    public IGuestMemory? Memory => _memory;

    /// <summary>The same table with its regions, for translation and diagnostics.</summary>
    internal GuestMemoryMap? MemoryMap => _memory;

    public IReadOnlyList<VhostUserVring> Vrings => _vrings;

    /// <summary>Where the device maps host-visible blobs (SHMEM_MAP over the back-end channel).</summary>
    internal IHostVisibleWindow HostVisibleWindow => _window;

    /// <summary>QEMU's display socket, once handed over (GPU_SET_SOCKET); the newest one.</summary>
    public DisplaySocketConnection? Display { get; private set; }

    /// <summary>Why the session ended; null while it runs.</summary>
    public VhostUserSessionEnd? End { get; private set; }

    public bool IsClosed => End is not null;

    /// <summary>Raised once, on the loop thread, after the session released everything.</summary>
    public event Action<VhostUserBackendSession>? Closed;

    public bool HasNegotiated(ProtocolFeatures feature) => (ProtocolFeatures & feature) == feature;

    public void Dispose() => Close(new VhostUserSessionEnd(SessionEndReason.Disposed));

    /// <summary>Ends the session for an exception thrown on its loop outside its own handlers (a compositor watch, a timer).</summary>
    internal void EndOnFault(Exception exception)
    {
        VhostUserLog.DeviceFault(_logger, Id, exception);
        Close(new VhostUserSessionEnd(SessionEndReason.InternalFault, Detail: exception.Message));
    }

    private void OnReadiness(Readiness readiness)
    {
        if ((readiness & Readiness.Writable) != 0)
        {
            var flushed = _frontendChannel.Flush();
            if (flushed == SendStatus.Sent) _watch.Change(Readiness.Readable);
            else if (flushed == SendStatus.Failed) EndOnChannelError();
        }
        // Bounded, so a chatty front-end cannot starve the rings' kicks; epoll is level-triggered
        // and brings us back for the rest.
        for (int handled = 0; handled < _options.MessagesPerWakeup && !IsClosed; handled++)
        {
            var result = _frontendChannel.TryReceive(out var message);
            if (result.Status == ReceiveStatus.WouldBlock) return;
            if (!result.IsMessage)
            {
                EndOnChannelError();
                return;
            }
            using (message) Dispatch(message!);
        }
    }

    private void Dispatch(VhostUserMessage message)
    {
        var request = (FrontendRequest)message.Request;
        if (_logger.IsEnabled(LogLevel.Debug)) VhostUserLog.Request(_logger, Id, RequestName(message.Request));
        VhostUserRefusal refusal;
        try
        {
            refusal = Handle(message);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            VhostUserLog.DeviceFault(_logger, Id, exception);
            Close(new VhostUserSessionEnd(SessionEndReason.InternalFault, request, Detail: exception.Message));
            return;
        }
        if (IsClosed) return;

        // The ack rule of §2: only for requests without a reply body, only once REPLY_ACK is in.
        bool acked = message.NeedsReply && HasNegotiated(ProtocolFeatures.ReplyAck) && !HasReplyBody(request);
        if (acked) Reply(message, refusal.IsRefused ? 1UL : 0UL);
        if (refusal.IsRefused)
        {
            VhostUserLog.RequestRefused(_logger, Id, RequestName(message.Request), refusal);
            if (!acked)
            {
                Close(new VhostUserSessionEnd(SessionEndReason.RequestFailed, request, Refusal: refusal));
                return;
            }
        }
        if (_frontendChannel.IsBroken) EndOnChannelError();
    }

    /// <summary>Carries out one request; accepted, or why it was refused.</summary>
    private VhostUserRefusal Handle(VhostUserMessage message) => (FrontendRequest)message.Request switch
    {
        FrontendRequest.GetFeatures => Reply(message, OfferedFeatures),
        FrontendRequest.SetFeatures => SetFeatures(message),
        FrontendRequest.SetOwner => TakeOwnership(),
        FrontendRequest.ResetOwner or FrontendRequest.ResetDevice => ResetDevice(),
        FrontendRequest.SetMemTable => SetMemTable(message),
        FrontendRequest.SetVringNum => SetVringNum(message),
        FrontendRequest.SetVringAddr => SetVringAddr(message),
        FrontendRequest.SetVringBase => SetVringBase(message),
        FrontendRequest.GetVringBase => GetVringBase(message),
        FrontendRequest.SetVringKick => SetVringKick(message),
        FrontendRequest.SetVringCall => SetVringCall(message),
        FrontendRequest.SetVringErr => SetVringErr(message),
        FrontendRequest.GetProtocolFeatures => Reply(message, (ulong)_options.OfferedProtocolFeatures),
        FrontendRequest.SetProtocolFeatures => SetProtocolFeatures(message),
        FrontendRequest.GetQueueNum => Reply(message, (ulong)_vrings.Length),
        FrontendRequest.SetVringEnable => SetVringEnable(message),
        FrontendRequest.SetBackendReqFd => SetBackendChannel(message),
        FrontendRequest.GetConfig => GetConfig(message),
        FrontendRequest.SetConfig => SetConfig(message),
        FrontendRequest.GpuSetSocket => SetDisplaySocket(message),
        FrontendRequest.GetMaxMemSlots => Reply(message, (ulong)_options.MaxMemorySlots),
        FrontendRequest.AddMemReg => AddMemoryRegion(message),
        FrontendRequest.RemMemReg => RemoveMemoryRegion(message),
        FrontendRequest.GetShmemConfig => GetShmemConfig(message),
        _ => VhostUserRefusalReason.NotSupported,
    };

    private static bool HasReplyBody(FrontendRequest request) => request is FrontendRequest.GetFeatures
        or FrontendRequest.GetProtocolFeatures or FrontendRequest.GetQueueNum or FrontendRequest.GetVringBase
        or FrontendRequest.GetConfig or FrontendRequest.GetMaxMemSlots or FrontendRequest.GetShmemConfig;

    // ---- features and ownership ----

    private VhostUserRefusal SetFeatures(VhostUserMessage message)
    {
        if (!message.TryRead(out ulong features)) return new(VhostUserRefusalReason.MissingPayload, "no feature word");
        ulong unexpected = features & ~(OfferedFeatures | (ulong)_options.AcceptedWithoutOffer);
        if (unexpected != 0) return new(VhostUserRefusalReason.FeatureNotOffered, $"features 0x{unexpected:x}");
        AckedFeatures = features;
        HasAckedFeatures = true;
        Device.FeaturesNegotiated(features);
        // Without bit 30 there is no SET_VRING_ENABLE: rings are enabled from the start.
        if ((features & ProtocolFeaturesBit) == 0)
        {
            foreach (var vring in _vrings) SetEnabled(vring, true);
        }
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetProtocolFeatures(VhostUserMessage message)
    {
        if (!message.TryRead(out ulong features)) return new(VhostUserRefusalReason.MissingPayload, "no feature word");
        var unexpected = (ProtocolFeatures)features & ~_options.OfferedProtocolFeatures;
        if (unexpected != ProtocolFeatures.None) return new(VhostUserRefusalReason.FeatureNotOffered, $"protocol features {unexpected}");
        ProtocolFeatures = (ProtocolFeatures)features;
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal TakeOwnership()
    {
        // Idempotent: libvhost-user and rust-vmm accept a repeated SET_OWNER too.
        HasOwner = true;
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal ResetDevice()
    {
        foreach (var vring in _vrings)
        {
            StopVring(vring);
            vring.Reset();
        }
        AckedFeatures = 0;
        HasAckedFeatures = false;
        ReleaseMemory();
        Device.Reset();
        return VhostUserRefusal.Accepted;
    }

    // ---- memory ----

    private VhostUserRefusal SetMemTable(VhostUserMessage message)
    {
        if (!message.TryRead(out uint count)) return new(VhostUserRefusalReason.MissingPayload, "no region count");
        if (count > VhostUserLimits.MaxMemTableRegions)
            return new(VhostUserRefusalReason.MalformedMemoryTable, $"{count} regions, more than {VhostUserLimits.MaxMemTableRegions}");
        if (message.Payload.Length < MemoryTable.PayloadLength((int)count))
            return new(VhostUserRefusalReason.MalformedMemoryTable, $"{count} regions announced, fewer sent");
        if (message.FdCount != count) return new(VhostUserRefusalReason.MalformedMemoryTable, $"{count} regions but {message.FdCount} fds");

        var regions = new MemoryRegion[count];
        var fds = new FileDescriptor[count];
        for (int i = 0; i < count; i++)
        {
            message.TryRead(MemoryTable.HeaderLength + i * Unsafe.SizeOf<MemoryRegion>(), out regions[i]);
            fds[i] = message.TakeFd(i)!;
        }
        MemoryMapError error;
        GuestMemoryMap? map;
        try
        {
            error = GuestMemoryMap.TryCreate(regions, fds, _options.MaxMemorySlots, out map);
        }
        finally
        {
            // The mappings hold the memory; the fds are not needed past mmap.
            foreach (var fd in fds) fd.Dispose();
        }
        if (error != MemoryMapError.None) return MemoryRefusal("memory table", error);
        ReplaceMemory(map!);
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal AddMemoryRegion(VhostUserMessage message)
    {
        if (!HasNegotiated(ProtocolFeatures.ConfigureMemSlots)) return new(VhostUserRefusalReason.FeatureNotNegotiated, "CONFIGURE_MEM_SLOTS");
        message.TryRead(out SingleMemoryRegion single);
        using var fd = message.TakeFd(0)!;
        _memory ??= new GuestMemoryMap(_options.MaxMemorySlots);
        var error = _memory.TryAdd(single.Region, fd);
        if (error != MemoryMapError.None) return MemoryRefusal("region", error);
        Device.MemoryChanged(_memory);
        return VhostUserRefusal.Accepted;
    }

    /// <summary>Why a region was refused; for guest RAM that could shrink, also how to give it that cannot.</summary>
    private static VhostUserRefusal MemoryRefusal(string what, MemoryMapError error) => new(VhostUserRefusalReason.MemoryRefused,
        error == MemoryMapError.Truncatable
            ? $"{what}: {error}, the front-end could shrink the file under the mapping;"
                + " use memory-backend-memfd (sealed by default), or give the memfd F_SEAL_SHRINK"
            : $"{what}: {error}");

    private VhostUserRefusal RemoveMemoryRegion(VhostUserMessage message)
    {
        if (!HasNegotiated(ProtocolFeatures.ConfigureMemSlots)) return new(VhostUserRefusalReason.FeatureNotNegotiated, "CONFIGURE_MEM_SLOTS");
        message.TryRead(out SingleMemoryRegion single);
        var region = _memory?.Regions.FirstOrDefault(r =>
            r.GuestPhysicalAddress == single.Region.GuestPhysicalAddress && r.Size == single.Region.Size);
        if (region is null) return VhostUserRefusalReason.NoSuchRegion;
        // A ring living in the region stops while its memory is still mapped.
        foreach (var vring in _vrings)
        {
            if (vring.IsStarted && vring.UserAddresses is { } addresses && LivesIn(region, vring, addresses)) StopVring(vring);
        }
        _memory!.TryRemove(region.GuestPhysicalAddress, region.Size);
        Device.MemoryChanged(_memory);
        return VhostUserRefusal.Accepted;
    }

    private static bool LivesIn(GuestMemoryRegion region, VhostUserVring vring, VringAddress addresses) =>
        Overlaps(region, addresses.DescriptorTable, VringLayout.DescriptorTableBytes(vring.Size))
        || Overlaps(region, addresses.AvailableRing, VringLayout.AvailRingBytes(vring.Size))
        || Overlaps(region, addresses.UsedRing, VringLayout.UsedRingBytes(vring.Size));

    private static bool Overlaps(GuestMemoryRegion region, ulong userAddress, int length) =>
        userAddress < region.UserAddress + region.Size && region.UserAddress < userAddress + (ulong)length;

    /// <summary>Swaps in a new table: rings that cannot live in it stop first, the others get fresh areas.</summary>
    private void ReplaceMemory(GuestMemoryMap map)
    {
        var areas = new VringAreas[_vrings.Length];
        foreach (var vring in _vrings)
        {
            if (vring.IsStarted && TryTranslate(vring, map, out areas[vring.Index]).IsRefused) StopVring(vring);
        }
        var old = _memory;
        _memory = map;
        foreach (var vring in _vrings)
        {
            if (vring.IsStarted) vring.Areas = areas[vring.Index];
        }
        Device.MemoryChanged(map);
        old?.Dispose();
    }

    private void ReleaseMemory()
    {
        if (_memory is null) return;
        Device.MemoryChanged(null);
        _memory.Dispose();
        _memory = null;
    }

    // ---- rings ----

    private VhostUserRefusal SetVringNum(VhostUserMessage message)
    {
        if (!TryGetVring(message, out var vring, out uint size)) return VhostUserRefusalReason.NoSuchRing;
        if (vring.IsStarted) return VhostUserRefusalReason.RingRunning;
        // Free-running 16-bit indexes wrap cleanly only over a power of two.
        if (size is 0 or > VhostUserLimits.MaxQueueSize || !BitOperations.IsPow2(size)) return new(VhostUserRefusalReason.BadQueueSize, $"queue size {size}");
        vring.Size = (int)size;
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetVringAddr(VhostUserMessage message)
    {
        if (!message.TryRead(out VringAddress addresses) || addresses.Index >= _vrings.Length) return VhostUserRefusalReason.NoSuchRing;
        var vring = _vrings[addresses.Index];
        if (vring.IsStarted) return VhostUserRefusalReason.RingRunning;
        if ((addresses.Flags & VringAddressFlags.Log) != 0) return new(VhostUserRefusalReason.BadRingAddress, "dirty logging is not supported");
        // Alignment the virtio spec requires of the three areas (§2.7).
        if (addresses.DescriptorTable % 16 != 0 || addresses.AvailableRing % 2 != 0 || addresses.UsedRing % 4 != 0)
            return new(VhostUserRefusalReason.BadRingAddress, "misaligned ring");
        var previous = vring.UserAddresses;
        vring.UserAddresses = addresses;
        // Check now what can be checked, so the error comes with the request that caused it.
        if (_memory is not null && vring.Size > 0 && TryTranslate(vring, _memory, out _) is { IsRefused: true } why)
        {
            vring.UserAddresses = previous;
            return why;
        }
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetVringBase(VhostUserMessage message)
    {
        if (!TryGetVring(message, out var vring, out uint baseIndex)) return VhostUserRefusalReason.NoSuchRing;
        if (vring.IsStarted) return VhostUserRefusalReason.RingRunning;
        if (baseIndex > ushort.MaxValue) return new(VhostUserRefusalReason.BadRingAddress, $"base {baseIndex} is not a split-ring index");
        vring.BaseIndex = (ushort)baseIndex;
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal GetVringBase(VhostUserMessage message)
    {
        if (!TryGetVring(message, out var vring, out _)) return VhostUserRefusalReason.NoSuchRing;
        ushort next = StopVring(vring);
        return Reply(message, new VringState((uint)vring.Index, next));
    }

    private VhostUserRefusal SetVringEnable(VhostUserMessage message)
    {
        if (!TryGetVring(message, out var vring, out uint enable)) return VhostUserRefusalReason.NoSuchRing;
        if (enable > 1) return new(VhostUserRefusalReason.BadEnableValue, $"enable value {enable}");
        SetEnabled(vring, enable == 1);
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetVringKick(VhostUserMessage message)
    {
        var refusal = TakeVringFd(message, out var vring, out var kick);
        if (refusal.IsRefused) return refusal;
        var areas = vring!.Areas;
        if (!vring.IsStarted)
        {
            // Receiving the kick fd starts the ring, so everything it needs must be there now.
            refusal = _memory is null ? new(VhostUserRefusalReason.RingUnmapped, "no memory table") : TryTranslate(vring, _memory, out areas);
            if (refusal.IsRefused)
            {
                kick?.Dispose();
                return refusal;
            }
        }
        // No fd (bit 8) still starts the ring; the device has to poll it then.
        vring.ReplaceKick(kick, kick is null ? null : _loop.Watch(kick.Handle, Readiness.Readable, _ => OnKick(vring)));
        if (!vring.IsStarted) StartVring(vring, areas);
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetVringCall(VhostUserMessage message)
    {
        // QEMU replaces call fds on every mask/unmask; the newest wins.
        var refusal = TakeVringFd(message, out var vring, out var call);
        if (!refusal.IsRefused) vring!.ReplaceCall(call);
        return refusal;
    }

    private VhostUserRefusal SetVringErr(VhostUserMessage message)
    {
        var refusal = TakeVringFd(message, out var vring, out var error);
        if (!refusal.IsRefused) vring!.ReplaceError(error);
        return refusal;
    }

    private VhostUserRefusal TakeVringFd(VhostUserMessage message, out VhostUserVring? vring, out EventFd? eventFd)
    {
        vring = null;
        eventFd = null;
        if (!message.TryRead(out VringFdPayload payload) || payload.Index >= _vrings.Length) return VhostUserRefusalReason.NoSuchRing;
        vring = _vrings[payload.Index];
        if (payload.HasNoFd) return VhostUserRefusal.Accepted; // an fd attached anyway is closed with the message
        var fd = message.TakeFd(0);
        if (fd is null) return new(VhostUserRefusalReason.BadRingFd, "no fd attached");
        if (!EventFdCheck.IsEventFd(fd))
        {
            fd.Dispose();
            return new(VhostUserRefusalReason.BadRingFd, "the fd is not an eventfd");
        }
        eventFd = EventFd.Adopt(fd);
        return VhostUserRefusal.Accepted;
    }

    private void StartVring(VhostUserVring vring, VringAreas areas)
    {
        vring.Areas = areas;
        vring.IsStarted = true;
        if (HasAckedFeatures && (AckedFeatures & ProtocolFeaturesBit) == 0) vring.IsEnabled = true;
        Device.QueueStarted(vring);
    }

    /// <summary>Stops a started ring (the device says where it got to); returns the base to report.</summary>
    private ushort StopVring(VhostUserVring vring)
    {
        if (!vring.IsStarted) return vring.BaseIndex;
        ushort next = Device.QueueStopped(vring);
        vring.IsStarted = false;
        vring.Areas = default;
        vring.BaseIndex = next;
        // A restart comes with a new SET_VRING_KICK.
        vring.ReplaceKick(null, null);
        return next;
    }

    private void SetEnabled(VhostUserVring vring, bool enabled)
    {
        if (vring.IsEnabled == enabled) return;
        vring.IsEnabled = enabled;
        Device.QueueEnabledChanged(vring);
    }

    private void OnKick(VhostUserVring vring)
    {
        vring.Kick?.Consume();
        if (!vring.IsStarted || IsClosed) return;
        try
        {
            Device.QueueKicked(vring);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            VhostUserLog.DeviceFault(_logger, Id, exception);
            Close(new VhostUserSessionEnd(SessionEndReason.InternalFault, Detail: exception.Message));
        }
    }

    /// <summary>Translates the ring's user addresses through <paramref name="memory"/>; accepted, or why not.</summary>
    private static VhostUserRefusal TryTranslate(VhostUserVring vring, GuestMemoryMap memory, out VringAreas areas)
    {
        areas = default;
        if (vring.Size == 0) return new(VhostUserRefusalReason.RingUnmapped, "no queue size");
        if (vring.UserAddresses is not { } addresses) return new(VhostUserRefusalReason.RingUnmapped, "no ring addresses");
        if (!TryTranslateArea(memory, addresses.DescriptorTable, VringLayout.DescriptorTableBytes(vring.Size), out var descriptors)
            || !TryTranslateArea(memory, addresses.AvailableRing, VringLayout.AvailRingBytes(vring.Size), out var available)
            || !TryTranslateArea(memory, addresses.UsedRing, VringLayout.UsedRingBytes(vring.Size), out var used))
            return new(VhostUserRefusalReason.RingUnmapped, "ring outside the memory table");
        areas = new VringAreas(descriptors, available, used);
        return VhostUserRefusal.Accepted;
    }

    private static bool TryTranslateArea(GuestMemoryMap memory, ulong userAddress, int length, out VringArea area)
    {
        bool found = memory.TryTranslateUserAddress(userAddress, (ulong)length, out nint host, out ulong guestPhysical);
        area = found ? new VringArea(host, guestPhysical, length) : default;
        return found;
    }

    private bool TryGetVring(VhostUserMessage message, out VhostUserVring vring, out uint number)
    {
        bool valid = message.TryRead(out VringState state) && state.Index < _vrings.Length;
        vring = valid ? _vrings[state.Index] : null!;
        number = state.Number;
        return valid;
    }

    // ---- config space, channels, shared memory ----

    private VhostUserRefusal GetConfig(VhostUserMessage message)
    {
        int headerLength = Unsafe.SizeOf<ConfigSpaceHeader>();
        message.TryRead(out ConfigSpaceHeader header);
        // An empty reply is how a back-end says "no" to GET_CONFIG (QEMU treats it as an error).
        if (header.Size > VhostUserLimits.MaxConfigSize || message.Payload.Length != headerLength + (int)header.Size)
            return ReplyBytes(message, ReadOnlySpan<byte>.Empty);
        var reply = new byte[headerLength + (int)header.Size];
        MemoryMarshal.Write(reply, in header);
        return Device.TryReadConfig(header.Offset, reply.AsSpan(headerLength))
            ? ReplyBytes(message, reply)
            : ReplyBytes(message, ReadOnlySpan<byte>.Empty);
    }

    private VhostUserRefusal SetConfig(VhostUserMessage message)
    {
        int headerLength = Unsafe.SizeOf<ConfigSpaceHeader>();
        message.TryRead(out ConfigSpaceHeader header);
        if (header.Size > VhostUserLimits.MaxConfigSize || message.Payload.Length != headerLength + (int)header.Size)
            return new(VhostUserRefusalReason.ConfigRefused, "config size does not match the payload");
        if (header.Flags is not (ConfigSpaceUpdate.FromDriver or ConfigSpaceUpdate.Migration)) return new(VhostUserRefusalReason.ConfigRefused, $"config flags {header.Flags}");
        return Device.TryWriteConfig(header.Offset, message.Payload[headerLength..], header.Flags)
            ? VhostUserRefusal.Accepted
            : new(VhostUserRefusalReason.ConfigRefused, "the device refused the write");
    }

    private VhostUserRefusal SetBackendChannel(VhostUserMessage message)
    {
        var fd = message.TakeFd(0)!;
        if (!HasNegotiated(ProtocolFeatures.BackendReq))
        {
            fd.Dispose();
            return new(VhostUserRefusalReason.FeatureNotNegotiated, "BACKEND_REQ");
        }
        var channel = new VhostUserChannel(AdoptSocket(fd), MessageRules.BackendReplies);
        // SHMEM_MAP needs the window (SHMEM) and an fd on the channel (BACKEND_SEND_FD).
        bool canMap = HasNegotiated(ProtocolFeatures.Shmem | ProtocolFeatures.BackendSendFd);
        _window.Attach(channel, canMap ? _options.HostVisibleWindowSize : 0, HasNegotiated(ProtocolFeatures.ReplyAck));
        return VhostUserRefusal.Accepted;
    }

    private VhostUserRefusal SetDisplaySocket(VhostUserMessage message)
    {
        // QEMU hands over a new socket on every DRIVER_OK; the old one is done with.
        var socket = AdoptSocket(message.TakeFd(0)!);
        DisplaySocketConnection connection;
        try
        {
            connection = new DisplaySocketConnection(socket, _loop, _options.DisplayProtocolFeatures);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            // The front-end sent an fd epoll cannot watch (a memfd, a file): its error, not a device
            // fault, and the display it had keeps working. The failed connection closed the fd.
            return new(VhostUserRefusalReason.DisplayFdUnwatchable, exception.Message);
        }
        Display?.Dispose();
        Display = connection;
        return VhostUserRefusal.Accepted;
    }

    private static UnixSocket AdoptSocket(FileDescriptor fd)
    {
        try
        {
            return UnixSocket.Adopt(fd);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private VhostUserRefusal GetShmemConfig(VhostUserMessage message)
    {
        var config = new ShmemConfig();
        if (_options.HostVisibleWindowSize > 0)
        {
            // shmid 0 is undefined; the GPU's host-visible window is shmid 1.
            config.RegionCount = (uint)SharedMemoryId.HostVisible + 1;
            config.RegionSizes[(int)SharedMemoryId.HostVisible] = _options.HostVisibleWindowSize;
        }
        return Reply(message, config);
    }

    // ---- replies and the end ----

    private VhostUserRefusal Reply<T>(VhostUserMessage message, in T payload) where T : unmanaged =>
        ReplyBytes(message, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in payload)));

    private VhostUserRefusal ReplyBytes(VhostUserMessage message, ReadOnlySpan<byte> payload)
    {
        if (_frontendChannel.Send(message.Request, MessageFlags.Version1 | MessageFlags.Reply, payload) == SendStatus.Queued)
            _watch.Change(Readiness.Readable | Readiness.Writable);
        return VhostUserRefusal.Accepted;
    }

    private void EndOnChannelError()
    {
        var error = _frontendChannel.Error;
        var reason = error is ChannelError.PeerClosed or ChannelError.TruncatedMessage or ChannelError.SocketFailed
            ? SessionEndReason.PeerClosed
            : SessionEndReason.MalformedMessage;
        Close(new VhostUserSessionEnd(reason, ChannelError: error));
    }

    private void Close(VhostUserSessionEnd end)
    {
        if (IsClosed) return;
        End = end;
        try
        {
            foreach (var vring in _vrings) StopVring(vring);
            // A front-end that has left took its address space with it: there is nothing to unmap.
            if (end.Reason == SessionEndReason.PeerClosed) _window.Detach();
            // One connection is one device: its contexts, resources and compositor connections
            // end with it, before the guest memory they may point into is unmapped.
            (Device as IDisposable)?.Dispose();
            ReleaseMemory();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The device failing while being told goodbye must not keep our fds open.
            VhostUserLog.DeviceFault(_logger, Id, exception);
        }
        _memory?.Dispose();
        _memory = null;
        foreach (var vring in _vrings) vring.Dispose();
        Display?.Dispose();
        _window.Dispose();
        _watch.Dispose();
        _frontendChannel.Dispose();
        VhostUserLog.SessionEnded(_logger, Id, end);
        Closed?.Invoke(this);
    }

    private static string RequestName(uint request) =>
        Enum.IsDefined((FrontendRequest)request) ? ((FrontendRequest)request).ToString() : $"request {request}";
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.VirtioGpu.VhostUser;
using CrossDomain.VirtioGpu.Virtqueue;
using Tmds.Linux;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>
/// The local transport: this process plays both the VMM and the guest kernel. It is the
/// vhost-user front-end of a crossdomain-host device (memfd guest RAM, two split rings, the
/// host-visible window served through SHMEM_MAP) and issues exactly the command sequences the
/// Linux virtio-gpu driver issues for each uAPI call. One instance is one open render node with
/// one context; not thread-safe.
/// </summary>
public sealed class LocalVirtioGpu : IVirtioGpuDriver
{
    public const ushort ControlQueueSize = 256;
    public const ushort CursorQueueSize = 16;
    public const long DefaultGuestRamBytes = 64L << 20;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    private readonly VhostUserFrontend _frontend;
    private readonly GuestRam _ram;
    private readonly SplitVirtqueueDriver _control;
    private readonly SplitVirtqueueDriver _cursor;
    private readonly FrontendVring _controlVring;
    private readonly RangeAllocator _window;
    private readonly Dictionary<uint, Buffer> _buffers = [];
    private readonly Dictionary<uint, CapsetInfo> _capsets = [];
    private readonly Dictionary<(uint Id, uint Version), byte[]> _capsetCache = [];
    private readonly Stack<Request> _freeRequests = new();
    private readonly HashSet<ulong> _fencesInFlight = [];
    private ulong _nextFenceId = 1;
    private uint _nextResourceId = 1;
    private uint _nextHandle = 1;
    private uint _contextId;
    private uint _ringCount;
    private ulong _pollRingMask;
    private int _pendingFenceEvents;

    private LocalVirtioGpu(VhostUserFrontend frontend, GuestRam ram, bool eventIndex, bool indirectDescriptors)
    {
        _frontend = frontend;
        _ram = ram;
        _control = new SplitVirtqueueDriver(ram, ControlQueueSize, eventIndex, indirectDescriptors);
        _cursor = new SplitVirtqueueDriver(ram, CursorQueueSize, eventIndex, indirectDescriptors);
        ulong driverFeatures = (ulong)(VirtioGpuFeatures.Virgl | VirtioGpuFeatures.Edid | VirtioGpuFeatures.ResourceUuid
            | VirtioGpuFeatures.ResourceBlob | VirtioGpuFeatures.ContextInit | VirtioGpuFeatures.Version1)
            | (eventIndex ? (ulong)VirtioGpuFeatures.RingEventIndex : 0)
            | (indirectDescriptors ? (ulong)VirtioGpuFeatures.RingIndirectDescriptors : 0);
        var outcome = frontend.Handshake([ram.Region], [Layout(_control), Layout(_cursor)], driverFeatures);
        if (!outcome.IsSuccess) throw new VirtioGpuDriverException($"vhost-user handshake failed: {outcome}", LibC.EIO);
        _controlVring = frontend.Vrings[0];
        Features = frontend.AckedFeatures;
        _window = new RangeAllocator((long)(frontend.Window?.Size ?? 0), GuestRam.PageSize);
    }

    /// <summary>The virtio features the device and this driver agreed on.</summary>
    public ulong Features { get; }

    public FileDescriptor FenceNotificationFd => _controlVring.Call.Handle;

    public FileDescriptor? DeviceGoneFd => _frontend.ChannelHandle;

    public ulong? RenderNodeDevice => null;

    /// <summary>Connects to a crossdomain-host socket and brings the device up as the Linux driver does at boot.</summary>
    /// <param name="hostVisibleMemory">
    /// False plays a VMM without host-visible memory (QEMU's vhost-user-gpu-pci): the shared-memory
    /// protocol feature is not asked for, so there is no window and HOST_VISIBLE reads 0.
    /// </param>
    public static LocalVirtioGpu Connect(string hostSocketPath, long guestRamBytes = DefaultGuestRamBytes,
        bool eventIndex = true, bool indirectDescriptors = true, bool hostVisibleMemory = true)
    {
        var options = hostVisibleMemory ? VhostUserFrontendOptions.Plain : new VhostUserFrontendOptions
        {
            RequestedProtocolFeatures = VhostUserFrontendOptions.DefaultProtocolFeatures & ~ProtocolFeatures.Shmem,
        };
        var frontend = VhostUserFrontend.Connect(hostSocketPath, options);
        GuestRam? ram = null;
        try
        {
            ram = new GuestRam(guestRamBytes);
            var gpu = new LocalVirtioGpu(frontend, ram, eventIndex, indirectDescriptors);
            gpu.ProbeCapsets();
            return gpu;
        }
        catch
        {
            ram?.Dispose();
            frontend.Dispose();
            throw;
        }
    }

    public ulong GetParam(VirtgpuParam param) => param switch
    {
        VirtgpuParam.Features3D => Has(VirtioGpuFeatures.Virgl) ? 1ul : 0,
        VirtgpuParam.CapsetQueryFix => 1,
        VirtgpuParam.ResourceBlob => Has(VirtioGpuFeatures.ResourceBlob) ? 1ul : 0,
        VirtgpuParam.HostVisible => _frontend.Window is { Size: > 0 } ? 1ul : 0,
        VirtgpuParam.CrossDevice => Has(VirtioGpuFeatures.ResourceUuid) ? 1ul : 0,
        VirtgpuParam.ContextInit => Has(VirtioGpuFeatures.ContextInit) ? 1ul : 0,
        VirtgpuParam.SupportedCapsetIds => _capsets.Keys.Aggregate(0ul, (mask, id) => mask | 1ul << (int)id),
        VirtgpuParam.ExplicitDebugName => Has(VirtioGpuFeatures.ContextInit) ? 1ul : 0,
        _ => throw new VirtioGpuDriverException($"unknown param {param}", LibC.EINVAL),
    };

    public int GetCaps(uint capsetId, uint version, Span<byte> destination)
    {
        if (destination.IsEmpty) throw new VirtioGpuDriverException("GET_CAPS with size 0", LibC.EINVAL);
        if (!_capsets.TryGetValue(capsetId, out var info) || info.MaxVersion < version)
            throw new VirtioGpuDriverException($"capset {capsetId} version {version} is not offered", LibC.EINVAL);
        if (!_capsetCache.TryGetValue((capsetId, version), out var data))
        {
            var command = new GetCapsetCommand { Header = Header(CommandType.GetCapset), CapsetId = (CapsetId)capsetId, CapsetVersion = version };
            var response = Exchange(AsBytes(ref command), default, Unsafe.SizeOf<ControlHeader>() + (int)info.MaxSize);
            Expect(response, CommandType.OkCapset, "GET_CAPSET");
            data = response[Unsafe.SizeOf<ControlHeader>()..].ToArray();
            _capsetCache[(capsetId, version)] = data;
        }
        int length = Math.Min(destination.Length, data.Length);
        data.AsSpan(0, length).CopyTo(destination);
        return length;
    }

    public void InitContext(uint capsetId, uint ringCount, ulong pollRingMask)
    {
        if (_contextId != 0) throw new VirtioGpuDriverException("the context already exists", LibC.EEXIST);
        if (!Has(VirtioGpuFeatures.ContextInit) || !_capsets.ContainsKey(capsetId))
            throw new VirtioGpuDriverException($"capset {capsetId} cannot start a context", LibC.EINVAL);
        if (ringCount > 64 || (ringCount < 64 && pollRingMask >> (int)ringCount != 0))
            throw new VirtioGpuDriverException("poll rings must be a subset of the rings", LibC.EINVAL);
        var command = new ContextCreateCommand { Header = Header(CommandType.ContextCreate, contextId: 1), ContextInit = capsetId };
        const string name = "crossdomain-proxy";
        command.NameLength = (uint)name.Length;
        System.Text.Encoding.ASCII.GetBytes(name, (Span<byte>)command.DebugName);
        Expect(Exchange(AsBytes(ref command), default), CommandType.OkNoData, "CTX_CREATE");
        _contextId = 1;
        _ringCount = ringCount;
        _pollRingMask = pollRingMask;
    }

    public BlobHandle CreateBlob(VirtgpuBlobMemory memory, VirtgpuBlobFlags flags, ulong size, ulong blobId)
    {
        if (size == 0 || size > long.MaxValue) throw new VirtioGpuDriverException("blob size 0", LibC.EINVAL);
        size = (ulong)_window.RoundUp((long)size);
        bool host = memory is VirtgpuBlobMemory.Host3D or VirtgpuBlobMemory.Host3DGuest;
        bool mappable = (flags & VirtgpuBlobFlags.UseMappable) != 0;
        if (host && _contextId == 0) throw new VirtioGpuDriverException("host blobs need a context", LibC.EINVAL);
        if (memory == VirtgpuBlobMemory.Guest && blobId != 0) throw new VirtioGpuDriverException("guest blobs have no blob id", LibC.EINVAL);
        // As Linux: only HOST3D blobs live in the host-visible window; HOST3D_GUEST ones map their guest pages.
        bool inWindow = memory == VirtgpuBlobMemory.Host3D && mappable;
        if (inWindow && GetParam(VirtgpuParam.HostVisible) == 0)
            throw new VirtioGpuDriverException("no host-visible window for a mappable host blob", LibC.EINVAL);

        uint resourceId = _nextResourceId++;
        var buffer = new Buffer(resourceId, size, memory, flags);
        var command = new ResourceCreateBlobCommand
        {
            Header = Header(CommandType.ResourceCreateBlob, contextId: host ? _contextId : 0),
            ResourceId = resourceId,
            BlobMemory = (BlobMemory)memory,
            BlobFlags = (BlobFlags)flags,
            BlobId = blobId,
            Size = size,
        };
        MemoryEntry entry = default;
        if (memory != VirtgpuBlobMemory.Host3D)
        {
            buffer.GuestAddress = _ram.Allocate((long)size);
            entry = new MemoryEntry { Address = buffer.GuestAddress, Length = (uint)size };
            command.EntryCount = 1;
        }
        var payload = command.EntryCount == 0 ? default : AsBytes(ref entry);
        var response = Exchange(AsBytes(ref command), payload);
        if (HeaderOf(response).Type != CommandType.OkNoData)
        {
            if (buffer.GuestAddress != 0) _ram.Free(buffer.GuestAddress, (long)size);
            throw new VirtioGpuDriverException($"RESOURCE_CREATE_BLOB failed: {HeaderOf(response).Type}", LibC.EINVAL);
        }

        uint handle = _nextHandle++;
        _buffers[handle] = buffer;
        try
        {
            if (inWindow) MapBlob(buffer);
            if (_contextId != 0) AttachToContext(buffer);
        }
        catch
        {
            CloseBuffer(handle);
            throw;
        }
        return new BlobHandle(handle, resourceId);
    }

    public void CreateResource(ref DrmVirtgpuResourceCreate create)
    {
        if (!Has(VirtioGpuFeatures.Virgl)) throw new VirtioGpuDriverException("no 3D support", LibC.ENODEV);
        // As Linux: the backing is at least a page, in whole pages.
        ulong size = (ulong)_window.RoundUp(Math.Max(create.Size, 1u));
        uint resourceId = _nextResourceId++;
        var buffer = new Buffer(resourceId, size, VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable) { IsClassic3D = true };
        var command = new ResourceCreate3DCommand
        {
            Header = Header(CommandType.ResourceCreate3D),
            ResourceId = resourceId,
            Description = create.Description,
        };
        var response = Exchange(AsBytes(ref command), default);
        if (HeaderOf(response).Type != CommandType.OkNoData)
            throw new VirtioGpuDriverException($"RESOURCE_CREATE_3D failed: {HeaderOf(response).Type}", LibC.EINVAL);

        uint handle = _nextHandle++;
        _buffers[handle] = buffer;
        try
        {
            buffer.GuestAddress = _ram.Allocate((long)size);
            _ram.GetSpan(buffer.GuestAddress, (int)size).Clear();
            var attach = new ResourceAttachBackingCommand { Header = Header(CommandType.ResourceAttachBacking), ResourceId = resourceId, EntryCount = 1 };
            var entry = new MemoryEntry { Address = buffer.GuestAddress, Length = (uint)size };
            Expect(Exchange(AsBytes(ref attach), AsBytes(ref entry)), CommandType.OkNoData, "RESOURCE_ATTACH_BACKING");
            if (_contextId != 0) AttachToContext(buffer);
        }
        catch
        {
            CloseBuffer(handle);
            throw;
        }
        create.BoHandle = handle;
        create.ResourceHandle = resourceId;
    }

    public void TransferToHost(in DrmVirtgpu3DTransfer transfer) => Transfer(transfer, CommandType.TransferToHost3D);

    public void TransferFromHost(in DrmVirtgpu3DTransfer transfer) => Transfer(transfer, CommandType.TransferFromHost3D);

    public MappedBlob Map(uint bufferHandle)
    {
        var buffer = Get(bufferHandle);
        if ((buffer.Flags & VirtgpuBlobFlags.UseMappable) == 0) throw new VirtioGpuDriverException("the blob is not mappable", LibC.EINVAL);
        if (buffer.GuestAddress != 0) return new MappedBlob(_ram.HostAddress + (nint)(buffer.GuestAddress - _ram.BaseAddress), (long)buffer.Size);
        if (buffer.WindowOffset is not { } offset) throw new VirtioGpuDriverException("the blob was not mapped by the device", LibC.EINVAL);
        return new MappedBlob(_frontend.Window!.BaseAddress + (nint)offset, (long)buffer.Size);
    }

    public void Submit(ReadOnlySpan<byte> commands, uint? ringIndex, ReadOnlySpan<uint> bufferHandles)
    {
        if (_contextId == 0) throw new VirtioGpuDriverException("no context", LibC.EINVAL);
        if (ringIndex is { } ring && ring >= _ringCount) throw new VirtioGpuDriverException($"ring {ring} of {_ringCount}", LibC.EINVAL);
        foreach (var handle in bufferHandles) Get(handle);

        bool pollRing = ringIndex is { } r && (_pollRingMask >> (int)r & 1) != 0;
        bool fenced = pollRing || !bufferHandles.IsEmpty;
        var header = Header(CommandType.Submit3D, _contextId);
        if (fenced)
        {
            header.Flags |= ControlHeaderFlags.Fence;
            header.FenceId = _nextFenceId++;
            if (ringIndex is { } fenceRing)
            {
                header.Flags |= ControlHeaderFlags.InfoRingIndex;
                header.RingIndex = (byte)fenceRing;
            }
        }
        var command = new Submit3DCommand { Header = header, Size = (uint)commands.Length };
        var request = Send(AsBytes(ref command), commands, Unsafe.SizeOf<ControlHeader>());
        // As Linux's EXECBUFFER: the command is queued and the caller goes on. An unfenced command's
        // reply says nothing the caller waits for (Linux drops SUBMIT_3D errors too); a fenced one's
        // reply is the fence, which comes back when the host's work is done.
        request.Detach(fenced ? header.FenceId : 0, pollRing);
        if (!fenced) return;
        _fencesInFlight.Add(header.FenceId);
        foreach (var handle in bufferHandles) _buffers[handle].Fences.Add(header.FenceId);
    }

    public bool Wait(uint bufferHandle, bool noWait, TimeSpan timeout)
    {
        var buffer = Get(bufferHandle);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Reap();
            buffer.Fences.RemoveAll(fence => !_fencesInFlight.Contains(fence));
            if (buffer.Fences.Count == 0) return true;
            if (noWait || DateTime.UtcNow >= deadline) return false;
            WaitForDevice(deadline);
        }
    }

    public bool TryReadFenceEvent()
    {
        Reap(rearm: false);
        if (_pendingFenceEvents == 0) return false;
        if (--_pendingFenceEvents > 0) _controlVring.Call.Signal();
        return true;
    }

    public uint GetResourceId(uint bufferHandle) => Get(bufferHandle).ResourceId;

    public void CloseBuffer(uint bufferHandle)
    {
        var buffer = Get(bufferHandle);
        _buffers.Remove(bufferHandle);
        // As Linux on the last reference: detach from the context, unmap, unref; only then may the
        // guest pages be reused.
        if (buffer.Attached)
        {
            var detach = new ContextResourceCommand { Header = Header(CommandType.ContextDetachResource, _contextId), ResourceId = buffer.ResourceId };
            Exchange(AsBytes(ref detach), default);
        }
        if (buffer.WindowOffset is { } offset)
        {
            var unmap = new ResourceUnmapBlobCommand { Header = Header(CommandType.ResourceUnmapBlob), ResourceId = buffer.ResourceId };
            Exchange(AsBytes(ref unmap), default);
            _window.Free((long)offset, (long)buffer.Size);
        }
        var unref = new ResourceUnrefCommand { Header = Header(CommandType.ResourceUnref), ResourceId = buffer.ResourceId };
        Exchange(AsBytes(ref unref), default);
        if (buffer.GuestAddress != 0) _ram.Free(buffer.GuestAddress, (long)buffer.Size);
    }

    /// <summary>Local blobs live in a memfd or the host window, not in a dma-buf exporter this process could import from.</summary>
    public uint ImportDmabuf(FileDescriptor dmabuf) =>
        throw new VirtioGpuDriverException("the local transport cannot import dma-bufs", LibC.ENOTSUP);

    /// <summary>There is no kernel driver here to make a dma-buf of a blob.</summary>
    public FileDescriptor ExportDmabuf(uint bufferHandle) =>
        throw new VirtioGpuDriverException("the local transport cannot export dma-bufs", LibC.ENOTSUP);

    public void Dispose()
    {
        try
        {
            if (_contextId != 0 && _frontend.ChannelError == ChannelError.None)
            {
                var destroy = new ContextDestroyCommand { Header = Header(CommandType.ContextDestroy, _contextId) };
                Exchange(AsBytes(ref destroy), default);
            }
        }
        catch (VirtioGpuDriverException)
        {
            // The host may already be gone; there is nothing left to release on its side then.
        }
        finally
        {
            _frontend.Dispose();
            _ram.Dispose();
        }
    }

    private void ProbeCapsets()
    {
        var config = _frontend.DeviceConfig;
        uint count = config.Length >= 16 ? BitConverter.ToUInt32(config, 12) : 0;
        for (uint index = 0; index < count; index++)
        {
            var command = new GetCapsetInfoCommand { Header = Header(CommandType.GetCapsetInfo), CapsetIndex = index };
            var response = Exchange(AsBytes(ref command), default, Unsafe.SizeOf<CapsetInfoResponse>());
            Expect(response, CommandType.OkCapsetInfo, "GET_CAPSET_INFO");
            var info = MemoryMarshal.Read<CapsetInfoResponse>(response);
            _capsets[(uint)info.CapsetId] = new CapsetInfo(info.CapsetMaxVersion, info.CapsetMaxSize);
        }
    }

    private void Transfer(in DrmVirtgpu3DTransfer transfer, CommandType type)
    {
        var buffer = Get(transfer.BoHandle);
        // As Linux: a blob of guest pages alone has nothing on the host to transfer to.
        if (!buffer.IsClassic3D && buffer.Memory == VirtgpuBlobMemory.Guest)
            throw new VirtioGpuDriverException("transfers need a RESOURCE_CREATE resource or a host blob", LibC.EINVAL);
        var command = new TransferHost3DCommand
        {
            Header = Header(type, _contextId),
            Box = transfer.Box,
            Offset = transfer.Offset,
            ResourceId = buffer.ResourceId,
            Level = transfer.Level,
            Stride = transfer.Stride,
            LayerStride = transfer.LayerStride,
        };
        var result = HeaderOf(Exchange(AsBytes(ref command), default)).Type;
        if (result != CommandType.OkNoData) throw new VirtioGpuDriverException($"{type} failed: {result}", LibC.EINVAL);
    }

    private void MapBlob(Buffer buffer)
    {
        if (!_window.TryAllocate((long)buffer.Size, out long offset))
            throw new VirtioGpuDriverException("the host-visible window is full", LibC.ENOMEM);
        var command = new ResourceMapBlobCommand { Header = Header(CommandType.ResourceMapBlob), ResourceId = buffer.ResourceId, Offset = (ulong)offset };
        var response = Exchange(AsBytes(ref command), default, Unsafe.SizeOf<MapInfoResponse>());
        if (HeaderOf(response).Type != CommandType.OkMapInfo)
        {
            _window.Free(offset, (long)buffer.Size);
            throw new VirtioGpuDriverException($"RESOURCE_MAP_BLOB failed: {HeaderOf(response).Type}", LibC.EINVAL);
        }
        buffer.WindowOffset = (ulong)offset;
    }

    private void AttachToContext(Buffer buffer)
    {
        var attach = new ContextResourceCommand { Header = Header(CommandType.ContextAttachResource, _contextId), ResourceId = buffer.ResourceId };
        Expect(Exchange(AsBytes(ref attach), default), CommandType.OkNoData, "CTX_ATTACH_RESOURCE");
        buffer.Attached = true;
    }

    private Buffer Get(uint handle) =>
        _buffers.TryGetValue(handle, out var buffer) ? buffer : throw new VirtioGpuDriverException($"no buffer handle {handle}", LibC.ENOENT);

    private bool Has(VirtioGpuFeatures feature) => (Features & (ulong)feature) != 0;

    /// <summary>Sends one command and waits for its response; returns the response bytes (valid until the next call).</summary>
    private ReadOnlySpan<byte> Exchange(ReadOnlySpan<byte> command, ReadOnlySpan<byte> payload, int responseCapacity = 24)
    {
        var request = Send(command, payload, responseCapacity);
        // The command's name is only formatted if it fails: this is every synchronous command's path.
        return Finish(request, (CommandType)BitConverter.ToUInt32(command));
    }

    private Request Send(ReadOnlySpan<byte> command, ReadOnlySpan<byte> payload, int responseCapacity)
    {
        var request = _freeRequests.Count > 0 ? _freeRequests.Pop() : new Request();
        request.Prepare(_ram, command, payload, responseCapacity);
        Span<DescriptorSegment> segments = stackalloc DescriptorSegment[3];
        int count = 0;
        segments[count++] = new DescriptorSegment(request.Address, (uint)command.Length, false);
        if (!payload.IsEmpty) segments[count++] = new DescriptorSegment(request.Address + (ulong)command.Length, (uint)payload.Length, false);
        segments[count++] = new DescriptorSegment(request.ResponseAddress, (uint)responseCapacity, true);

        var deadline = DateTime.UtcNow + CommandTimeout;
        while (!_control.TryAdd(segments[..count], request))
        {
            Reap();
            if (DateTime.UtcNow >= deadline) throw new VirtioGpuDriverException("the control queue stayed full", LibC.ETIMEDOUT);
            WaitForDevice(deadline);
        }
        if (_control.NeedsKick()) _controlVring.Kick.Signal();
        return request;
    }

    private ReadOnlySpan<byte> Finish(Request request, CommandType what)
    {
        var deadline = DateTime.UtcNow + CommandTimeout;
        while (!request.Done)
        {
            if (_frontend.ChannelError != ChannelError.None) throw new VirtioGpuDriverException($"{what}: the host closed the device", LibC.EIO);
            if (DateTime.UtcNow >= deadline) throw new VirtioGpuDriverException($"{what}: no response in {CommandTimeout}", LibC.ETIMEDOUT);
            Reap();
            if (!request.Done) WaitForDevice(deadline);
        }
        var response = request.Response(_ram);
        Recycle(request);
        return response;
    }

    // Reads the interrupt first, then the used ring: a completion that lands in between raises
    // the interrupt again, so none is missed.
    private void Reap(bool rearm = true)
    {
        _controlVring.Call.Consume();
        while (_control.TryTakeUsed(out var token, out uint written))
        {
            var request = (Request)token!;
            request.Complete(written);
            if (request.AwaitedBySender) continue;
            _fencesInFlight.Remove(request.FenceId);
            if (request.SignalsPollEvent) _pendingFenceEvents++;
            Recycle(request);
        }
        // Keep the event fd readable while events are unread, as the DRM fd is. After every
        // consume, not only when an event is found: a later reap (a command waiting for its reply)
        // consumes the interrupt again, and events found earlier would then wake nobody. The one
        // caller that takes an event itself re-arms only for the events it leaves.
        if (rearm && _pendingFenceEvents > 0) _controlVring.Call.Signal();
    }

    private void Recycle(Request request)
    {
        request.Release(_ram);
        _freeRequests.Push(request);
    }

    // Waits for an interrupt from the device, serving its SHMEM_MAP requests meanwhile: the device
    // answers MAP_BLOB only after the front-end mapped the memory, so both must be watched.
    private unsafe void WaitForDevice(DateTime deadline)
    {
        int timeout = (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMilliseconds, 0, 1000);
        var fds = stackalloc pollfd[3];
        fds[0] = new pollfd { fd = _controlVring.Call.Fd, events = LibC.POLLIN };
        // The vhost-user socket carries nothing unasked: readable means the host service hung up,
        // and then no reply will come, however long we wait.
        fds[1] = new pollfd { fd = _frontend.ChannelHandle.Fd, events = LibC.POLLIN };
        int count = 2;
        if (_frontend.BackendChannelHandle is { } channel)
        {
            fds[2] = new pollfd { fd = channel.Fd, events = LibC.POLLIN };
            count = 3;
        }
        LibC.poll(fds, (ulong_t)(ulong)count, timeout);
        if (fds[1].revents != 0) throw new VirtioGpuDriverException("the host service closed the device", LibC.EIO);
        if (count == 3 && fds[2].revents != 0) _frontend.ServeBackendRequests(0);
    }

    private static FrontendVringLayout Layout(SplitVirtqueueDriver queue) =>
        new(queue.Size, queue.Addresses.DescriptorTable, queue.Addresses.AvailRing, queue.Addresses.UsedRing);

    private static ControlHeader Header(CommandType type, uint contextId = 0) => new() { Type = type, ContextId = contextId };

    private static ControlHeader HeaderOf(ReadOnlySpan<byte> response) =>
        response.Length >= Unsafe.SizeOf<ControlHeader>() ? MemoryMarshal.Read<ControlHeader>(response) : new ControlHeader { Type = CommandType.ErrorUnspecified };

    private static void Expect(ReadOnlySpan<byte> response, CommandType expected, string what)
    {
        var type = HeaderOf(response).Type;
        if (type != expected) throw new VirtioGpuDriverException($"{what} failed: {type}", LibC.EINVAL);
    }

    private static ReadOnlySpan<byte> AsBytes<T>(ref T value) where T : unmanaged => MemoryMarshal.AsBytes(new Span<T>(ref value));

    private readonly record struct CapsetInfo(uint MaxVersion, uint MaxSize);

    private sealed class Buffer(uint resourceId, ulong size, VirtgpuBlobMemory memory, VirtgpuBlobFlags flags)
    {
        public uint ResourceId { get; } = resourceId;
        public ulong Size { get; } = size;
        public VirtgpuBlobMemory Memory { get; } = memory;
        public VirtgpuBlobFlags Flags { get; } = flags;
        public ulong GuestAddress { get; set; }
        public ulong? WindowOffset { get; set; }
        public bool Attached { get; set; }

        /// <summary>A RESOURCE_CREATE_3D resource with guest backing, not a blob.</summary>
        public bool IsClassic3D { get; init; }

        /// <summary>Fences of submissions that named this buffer, not yet known to be done.</summary>
        public List<ulong> Fences { get; } = [];
    }

    /// <summary>One command in guest RAM: request bytes, then room for the response, reused.</summary>
    private sealed class Request
    {
        private long _length;
        private int _responseOffset;
        private int _responseCapacity;

        public ulong Address { get; private set; }
        public ulong ResponseAddress => Address + (ulong)_responseOffset;
        public bool Done { get; private set; }
        public uint Written { get; private set; }
        public bool SignalsPollEvent { get; private set; }
        public ulong FenceId { get; private set; }

        /// <summary>False once a fenced submission was handed back to the caller without waiting.</summary>
        public bool AwaitedBySender { get; private set; }

        public void Detach(ulong fenceId, bool signalsPollEvent)
        {
            FenceId = fenceId;
            SignalsPollEvent = signalsPollEvent;
            AwaitedBySender = false;
        }

        public void Prepare(GuestRam ram, ReadOnlySpan<byte> command, ReadOnlySpan<byte> payload, int responseCapacity)
        {
            _responseOffset = (command.Length + payload.Length + 7) & ~7;
            long needed = _responseOffset + responseCapacity;
            if (needed > _length)
            {
                if (_length > 0) ram.Free(Address, _length);
                _length = Math.Max(needed, GuestRam.PageSize);
                Address = ram.Allocate(_length);
            }
            command.CopyTo(ram.GetSpan(Address, command.Length));
            payload.CopyTo(ram.GetSpan(Address + (ulong)command.Length, payload.Length));
            _responseCapacity = responseCapacity;
            Done = false;
            Written = 0;
            FenceId = 0;
            SignalsPollEvent = false;
            AwaitedBySender = true;
        }

        public void Complete(uint written)
        {
            Done = true;
            Written = Math.Min(written, (uint)_responseCapacity);
        }

        public ReadOnlySpan<byte> Response(GuestRam ram) => ram.GetSpan(ResponseAddress, (int)Written);

        public void Release(GuestRam ram)
        {
            // Big one-off requests give their memory back; the common small ones keep a page.
            if (_length > 4 * GuestRam.PageSize)
            {
                ram.Free(Address, _length);
                _length = 0;
            }
        }
    }
}

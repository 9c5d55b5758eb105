using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// One guest cross-domain context (PROTOCOL.md B.4–B.10): its rings, its connection to the host
/// compositor, the items it named for the guest (image templates, received memory, write pipes)
/// and the pipes it reads for the guest. Commands from SUBMIT_3D run synchronously; channel
/// events are written by <see cref="ChannelRing"/>, one per POLL fence. Every call, and every
/// loop callback, comes on the device's loop thread, so nothing here is locked.
/// <para>
/// The guest is untrusted: each command's size, count, id and type is checked before anything
/// happens, and a bad one is an error for the guest, never an exception, a leaked fd or an
/// unbounded allocation (see <see cref="CrossDomainContextLimits"/>).
/// </para>
/// </summary>
internal sealed class CrossDomainContext : IGpuContext
{
    /// <summary>Every guest allocates one page for each ring, and a RECEIVE fills one.</summary>
    public const int MinimumRingSize = CrossDomainLimits.DefaultRingSize;

    private const byte QueryRingIndex = (byte)CrossDomainRing.Query;
    private const byte ChannelRingIndex = (byte)CrossDomainRing.Channel;

    private readonly GpuContextSetup _setup;
    private readonly CrossDomainOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<uint, GpuResource> _attached = [];
    private readonly HostItems _items = new();
    private readonly ReadPipes _readPipes;
    private readonly WritePipes _writePipes;
    private readonly ByteBudget _sendBudget;
    private readonly ChannelRing _channelRing;
    private readonly WaylandStreamFilter? _filter;
    private readonly string _vmName;
    private readonly FileDescriptor[] _sendFds = new FileDescriptor[CrossDomainLimits.MaxIdentifiers];
    private GuestBacking? _queryRing;
    private CompositorConnection? _compositor;
    private bool _sendWaiting;
    private LoopTimer? _sendWaitLimit;
    private bool _initialized;
    private bool _disposed;

    /// <param name="firewall">The policy every context of the device shares, or null when the firewall is off.</param>
    public CrossDomainContext(GpuContextSetup setup, CrossDomainOptions options, FirewallPolicy? firewall, ILogger logger)
    {
        _setup = setup;
        _options = options;
        _logger = setup.Logs.Limit(logger);
        _sendBudget = new ByteBudget(options.Limits.MaxPendingSendBytes);
        _filter = firewall is null ? null : new WaylandStreamFilter(firewall);
        _vmName = firewall?.VmName ?? options.Firewall.VmName;
        _readPipes = new ReadPipes(setup.Loop, setup.Fds, options.Limits.MaxReadPipes, pipe => _channelRing!.OnReadPipeReady(pipe));
        _writePipes = new WritePipes(_items, setup.Loop, setup.Fds, options.Limits.MaxPendingPipeWriteBytes);
        _channelRing = new ChannelRing(setup, _items, _readPipes, _writePipes, options.Limits, _filter, _vmName, _logger);
    }

    public GpuError Submit(ReadOnlySpan<byte> commands)
    {
        // Only the first command may wait for the compositor (NotYet): nothing before it has been carried out.
        bool mayWait = true;
        while (!commands.IsEmpty)
        {
            if (!MemoryMarshal.TryRead(commands, out CrossDomainHeader header))
                return Refuse(default, CrossDomainRefusal.TruncatedHeader);
            int size = header.CommandSize;
            if (size < Unsafe.SizeOf<CrossDomainHeader>() || size > commands.Length)
                return Refuse(header.Command, CrossDomainRefusal.BadCommandSize);
            var error = Execute(header.Command, commands[..size], mayWait);
            mayWait = false;
            // As in rutabaga, a failed command fails the submission; the commands before it stay done.
            if (error != GpuError.None) return error;
            commands = commands[size..];
        }
        return GpuError.None;
    }

    public void AttachResource(GpuResource resource) => _attached[resource.Id] = resource;

    public void DetachResource(GpuResource resource) => _attached.Remove(resource.Id);

    public GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob)
    {
        blob = null;
        // HOST3D_GUEST (CrossDomainExtensions.GuestMemoryTransfers): the guest cannot map host
        // memory, so it keeps a copy in its own pages and transfers boxes of it.
        bool guestCopy = request.Memory == BlobMemory.Host3DGuest;
        if (request.BlobId > uint.MaxValue || !_items.TryGet((uint)request.BlobId, out var item))
            return RefuseBlob(request, CrossDomainRefusal.UnknownBlobId);
        switch (item)
        {
            case ImageTemplate template:
                // rutabaga requires the exact size too: the guest takes it from the template.
                if (request.Size != template.Size) return RefuseBlob(request, CrossDomainRefusal.BlobSizeMismatch);
                if (guestCopy)
                {
                    if (template.TransferLayout is not { } layout) return RefuseBlob(request, CrossDomainRefusal.TemplateNotCopyable);
                    return AllocateMemfdImage(template.Size, layout, out blob) ? GpuError.None : RefuseBlob(request, CrossDomainRefusal.ImageAllocationFailed);
                }
                return AllocateImage(template, out blob) ? GpuError.None : RefuseBlob(request, CrossDomainRefusal.ImageAllocationFailed);
            case ReceivedMemory received:
                if (guestCopy && received.Size > uint.MaxValue) return RefuseBlob(request, CrossDomainRefusal.BlobSizeMismatch);
                // Received memory is used once: the blob now owns the fd.
                _items.Remove((uint)request.BlobId);
                var handle = received.TakeHandle();
                if (!received.IsWritable || received.Size % BlobResource.PageSize != 0)
                {
                    // What a VMM maps into the guest must be whole pages of a file it may write:
                    // QEMU refuses a file shorter than the pages mapped (qemu_ram_alloc_from_fd)
                    // and maps SHMEM_MAP regions writable whatever their flags, which a
                    // write-sealed memfd refuses (EPERM). weston's keymaps are 64434 bytes, and
                    // sealed from wl_seat v7. What compositors send clients (keymaps, format
                    // tables) is only read, so such memory goes to the guest as a copy of its own,
                    // padded to whole pages: writing it changes nothing the compositor sees.
                    var sent = handle;
                    try
                    {
                        handle = PagePaddedCopy(sent, received.Size);
                    }
                    catch (Win32Exception)
                    {
                        return RefuseBlob(request, CrossDomainRefusal.ReceivedMemoryUnreadable);
                    }
                    finally
                    {
                        sent.Dispose();
                    }
                }
                blob = new HostBlob(handle, received.Size, MapCacheType.Cached, writable: true,
                    transferLayout: guestCopy ? BlobImageLayout.Bytes((uint)received.Size) : null);
                return GpuError.None;
            default:
                return RefuseBlob(request, CrossDomainRefusal.BlobIdNotMemory);
        }
    }

    /// <summary>
    /// A <see cref="FixedSizeMemfd"/> of <paramref name="size"/> rounded up to whole pages, with the bytes of
    /// <paramref name="source"/>. Read with pread, not a mapping: a file that shrank since it was
    /// announced reads short (the rest stays zero) where a mapping would fault.
    /// </summary>
    private static unsafe FileDescriptor PagePaddedCopy(FileDescriptor source, ulong size)
    {
        long padded = checked((long)BlobResource.PageAligned(size));
        var copy = FixedSizeMemfd("crossdomain-received-memory", padded);
        try
        {
            using (var to = MemoryMapping.Map(copy, padded))
            {
                byte* destination = (byte*)to.Address;
                for (long done = 0; done < (long)size;)
                {
                    long read = Tmds.Linux.LibC.pread(source.Fd, destination + done, (Tmds.Linux.size_t)(ulong)((long)size - done), done);
                    if (read < 0 && Tmds.Linux.LibC.errno == Tmds.Linux.LibC.EINTR) continue;
                    if (read < 0) throw Errno.Exception("pread");
                    if (read == 0) break;
                    done += read;
                }
            }
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    public GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        switch (ringIndex)
        {
            case QueryRingIndex:
                // Queries are answered inside SUBMIT_3D, before their fence is made.
                _setup.Fences.Signal(QueryRingIndex, fenceId);
                return GpuError.None;
            case ChannelRingIndex:
                _channelRing.AddPollFence(fenceId);
                return GpuError.None;
            default:
                return Refuse(CrossDomainCommand.Poll, CrossDomainRefusal.FenceOnUnknownRing);
        }
    }

    /// <summary>CTX_DESTROY: the compositor connection, pipes and items go; the device has completed the fences.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Nothing is handed in again to a context that is going.
        _sendWaiting = false;
        _sendWaitLimit?.Dispose();
        _channelRing.Dispose();
        _readPipes.Dispose();
        _writePipes.Dispose();
        _compositor?.Close();
        // Templates are never freed before this, so all that were charged are still here.
        _setup.Memory.Refund((ulong)_items.TemplateCount * ImageTemplate.HostBytes);
        _items.Dispose();
        _attached.Clear();
    }

    private GpuError Execute(CrossDomainCommand command, ReadOnlySpan<byte> bytes, bool mayWait) => command switch
    {
        CrossDomainCommand.Init => Initialize(bytes),
        CrossDomainCommand.GetImageRequirements => GetImageRequirements(bytes),
        // The command itself does nothing: its fence, made next, is the request (CreateFence).
        CrossDomainCommand.Poll => GpuError.None,
        CrossDomainCommand.Send => Send(bytes, mayWait),
        CrossDomainCommand.Write => Write(bytes),
        _ => Refuse(command, CrossDomainRefusal.UnknownCommand),
    };

    private GpuError Initialize(ReadOnlySpan<byte> bytes)
    {
        const CrossDomainCommand Command = CrossDomainCommand.Init;
        if (_initialized) return Refuse(Command, CrossDomainRefusal.AlreadyInitialized);

        uint queryRingId, channelRingId;
        ChannelType channelType;
        switch (bytes.Length)
        {
            case CrossDomainInitLegacy.Size:
                var legacy = MemoryMarshal.Read<CrossDomainInitLegacy>(bytes);
                // The legacy form has one ring for both.
                (queryRingId, channelRingId, channelType) = (legacy.QueryRingId, legacy.QueryRingId, legacy.ChannelType);
                break;
            case CrossDomainInit.V1Size or CrossDomainInit.LibkrunSize or CrossDomainInit.InternalSocketSize:
                // The forms share their first 20 bytes; what follows (libkrun's protocol version, magma's
                // socket uuid) matters only for channels this host does not offer.
                CrossDomainInit init = default;
                bytes.CopyTo(MemoryMarshal.AsBytes(new Span<CrossDomainInit>(ref init)));
                (queryRingId, channelRingId, channelType) = (init.QueryRingId, init.ChannelRingId, init.ChannelType);
                break;
            default:
                return Refuse(Command, CrossDomainRefusal.BadInitSize);
        }

        var refusal = FindRing(queryRingId, CrossDomainRefusal.QueryRingNotAttached, CrossDomainRefusal.QueryRingUnusable, out var queryRing);
        if (refusal != CrossDomainRefusal.None) return Refuse(Command, refusal);
        GuestBacking? channelRing = null;
        CompositorConnection? compositor = null;
        switch (channelType)
        {
            case ChannelType.None:
                break;
            case ChannelType.Wayland:
                refusal = FindRing(channelRingId, CrossDomainRefusal.ChannelRingNotAttached, CrossDomainRefusal.ChannelRingUnusable, out channelRing);
                if (refusal != CrossDomainRefusal.None) return Refuse(Command, refusal);
                if (_options.WaylandSocketPath is not { } path) return Refuse(Command, CrossDomainRefusal.NoCompositorConfigured);
                compositor = CompositorConnection.TryConnect(path, _setup.Loop, _sendBudget, _setup.Fds, _channelRing.OnCompositorInput, OnSendRoom, out int errno);
                if (compositor is null)
                {
                    CrossDomainLog.CompositorUnreachable(_logger, _setup.ContextId, path, errno);
                    return GpuError.Unspecified;
                }
                CrossDomainLog.Connected(_logger, _setup.ContextId, path);
                break;
            default:
                return Refuse(Command, CrossDomainRefusal.ChannelTypeNotOffered);
        }

        _initialized = true;
        _queryRing = queryRing;
        _compositor = compositor;
        if (channelRing is not null) _channelRing.Start(channelRing, compositor);
        return GpuError.None;
    }

    /// <summary>A ring is the guest pages of a GUEST blob attached to this context, at least a page long.</summary>
    private CrossDomainRefusal FindRing(uint resourceId, CrossDomainRefusal notAttached, CrossDomainRefusal unusable, out GuestBacking ring)
    {
        ring = null!;
        if (!_attached.TryGetValue(resourceId, out var resource)) return notAttached;
        if (resource is not BlobResource { Memory: BlobMemory.Guest, Backing: { } backing } || backing.Length < MinimumRingSize)
            return unusable;
        ring = backing;
        return CrossDomainRefusal.None;
    }

    private GpuError GetImageRequirements(ReadOnlySpan<byte> bytes)
    {
        const CrossDomainCommand Command = CrossDomainCommand.GetImageRequirements;
        if (!MemoryMarshal.TryRead(bytes, out CrossDomainGetImageRequirements request))
            return Refuse(Command, CrossDomainRefusal.CommandTooShort);
        if (_queryRing is null) return Refuse(Command, CrossDomainRefusal.NotInitialized);

        var key = new ImageTemplateKey(request.Width, request.Height, request.DrmFormat, request.Flags);
        if (!_items.TryFindTemplate(key, out uint id))
        {
            if (_items.TemplateCount >= _options.Limits.MaxImageTemplates)
                return Refuse(Command, CrossDomainRefusal.TooManyImageTemplates);
            var linear = ImageTemplate.TryCreate(key, _options.Limits.MaxImageBytes);
            if (linear is null) return Refuse(Command, CrossDomainRefusal.UnsupportedImage);
            if (!_setup.Memory.TryCharge(ImageTemplate.HostBytes))
                return Refuse(Command, CrossDomainRefusal.HostMemoryExhausted);
            if (!TryCreateDmabufTemplate(key, linear.Size, out var dmabuf))
            {
                _setup.Memory.Refund(ImageTemplate.HostBytes);
                return Refuse(Command, CrossDomainRefusal.HostMemoryExhausted);
            }
            id = _items.Add(dmabuf ?? linear);
        }
        _items.TryGet(id, out var item);
        var answer = ((ImageTemplate)item!).Requirements(id);
        if (!_queryRing.TryWrite(_setup.GuestMemory, 0, MemoryMarshal.AsBytes(new ReadOnlySpan<CrossDomainImageRequirements>(in answer))))
            return Refuse(Command, CrossDomainRefusal.QueryRingUnwritable);
        return GpuError.None;
    }

    /// <summary>
    /// A template whose blobs are GBM dma-bufs, learned from a probe buffer (GBM says a layout
    /// only for a buffer it made), or null where the host has no GBM, the driver refuses the
    /// format or usage, or its layout would exceed the image limit: then the memfd template serves.
    /// Asked only after the memfd layout passed the limits, so the guest cannot make the driver
    /// try an absurd allocation. The probe is real memory while it lives, as large as the image
    /// limit, so it is charged to the device's host memory meanwhile (at
    /// <paramref name="linearSize"/>: the driver's own size is known only once it exists); false,
    /// and no probe, when the budget cannot hold it.
    /// </summary>
    private bool TryCreateDmabufTemplate(ImageTemplateKey key, ulong linearSize, out ImageTemplate? template)
    {
        template = null;
        if (_options.Gbm is not { } gbm || !gbm.IsFormatSupported(key.DrmFormat, key.Flags)) return true;
        if (!_setup.Memory.TryCharge(linearSize)) return false;
        try
        {
            if (!gbm.TryAllocate(key.Width, key.Height, key.DrmFormat, key.Flags, out var probe)) return true;
            using (probe)
                template = probe.Size <= _options.Limits.MaxImageBytes ? ImageTemplate.FromGbmProbe(key, probe) : null;
            return true;
        }
        finally
        {
            _setup.Memory.Refund(linearSize);
        }
    }

    /// <summary>Queued SEND data went out, or the compositor went away: a SEND that waited is tried again.</summary>
    private void OnSendRoom()
    {
        if (!_sendWaiting) return;
        _sendWaiting = false;
        _sendWaitLimit?.Dispose();
        _sendWaitLimit = null;
        _setup.SubmissionsReady();
    }

    private void WaitForSendRoom()
    {
        _sendWaiting = true;
        _sendWaitLimit ??= _setup.Loop.AddTimer(_options.Limits.MaxSendWait, () =>
        {
            _sendWaitLimit = null;
            if (!_sendWaiting) return;
            CrossDomainLog.CompositorNotReading(_logger, _setup.ContextId, _options.Limits.MaxSendWait.TotalSeconds);
            // Closing calls OnSendRoom: the SEND is handed in again and refused for the closed connection.
            _channelRing.CloseCompositor();
        });
    }

    private GpuError Send(ReadOnlySpan<byte> bytes, bool mayWait)
    {
        const CrossDomainCommand Command = CrossDomainCommand.Send;
        if (!MemoryMarshal.TryRead(bytes, out CrossDomainSendReceive send)) return Refuse(Command, CrossDomainRefusal.CommandTooShort);
        if (send.OpaqueDataSize > (uint)(bytes.Length - CrossDomainSendReceive.Size))
            return Refuse(Command, CrossDomainRefusal.DataPastCommand);
        if (send.IdentifierCount > CrossDomainLimits.MaxIdentifiers) return Refuse(Command, CrossDomainRefusal.TooManyIdentifiers);
        int count = (int)send.IdentifierCount;

        var refusal = CheckIdentifiers(send, count, out int readPipeCount);
        if (refusal != CrossDomainRefusal.None) return Refuse(Command, refusal);
        if (_compositor is null) return Refuse(Command, CrossDomainRefusal.NoWaylandChannel);
        if (_compositor.IsClosed) return Refuse(Command, CrossDomainRefusal.CompositorClosed);
        var data = bytes.Slice(CrossDomainSendReceive.Size, (int)send.OpaqueDataSize);
        if (data.IsEmpty)
            return count == 0 ? GpuError.None : Refuse(Command, CrossDomainRefusal.IdentifiersWithoutData);
        if (!_readPipes.HasRoom(readPipeCount))
            return Refuse(Command, CrossDomainRefusal.TooManyReadPipes);
        if (!_sendBudget.HasRoom(data.Length + SendBacklog.ChunkOverhead))
        {
            // The compositor is behind. Dropping the SEND would cut the client's stream in the middle
            // of a message; waiting slows the guest to the compositor's pace instead. What can never
            // fit, or has nothing queued ahead of it to wait for, is refused.
            if (mayWait && _compositor.HasBacklog && _sendBudget.CanEverHold(data.Length + SendBacklog.ChunkOverhead))
            {
                WaitForSendRoom();
                return GpuError.NotYet;
            }
            return Refuse(Command, CrossDomainRefusal.CompositorBacklogFull);
        }
        // Room for every fd the SEND may hold, checked up front as the bytes are: both ends of each
        // new pipe, and a duplicate of each of its fds should it have to wait for the compositor.
        if (!_setup.Fds.HasRoom(2 * readPipeCount + count))
            return Refuse(Command, CrossDomainRefusal.DeviceFdsExhausted);
        return SendChecked(send, count, data);
    }

    /// <summary>
    /// Checks each identifier: a VIRTGPU_BLOB must be a resource attached here with host memory
    /// behind it, a READ_PIPE must carry the id the host would give it
    /// (<see cref="ReadPipes.TakeExpectedId"/>, for every READ_PIPE, even after a refusal).
    /// </summary>
    private CrossDomainRefusal CheckIdentifiers(in CrossDomainSendReceive send, int count, out int readPipeCount)
    {
        readPipeCount = 0;
        var first = CrossDomainRefusal.None;
        for (int i = 0; i < count; i++)
        {
            uint id = send.Identifiers[i];
            switch ((IdentifierType)send.IdentifierTypes[i])
            {
                case IdentifierType.VirtgpuBlob:
                    if (!_attached.TryGetValue(id, out var resource))
                        Note(CrossDomainRefusal.BlobNotAttached);
                    else if (resource is not BlobResource { HostMemory: not null })
                        Note(CrossDomainRefusal.BlobWithoutHostMemory);
                    break;
                case IdentifierType.ReadPipe:
                    readPipeCount++;
                    if (!_readPipes.TakeExpectedId(id))
                        Note(CrossDomainRefusal.UnexpectedReadPipeId);
                    break;
                default:
                    Note(CrossDomainRefusal.IdentifierTypeNotSendable);
                    break;
            }
        }
        return first;

        void Note(CrossDomainRefusal refusal)
        {
            if (first == CrossDomainRefusal.None) first = refusal;
        }
    }

    private GpuError SendChecked(in CrossDomainSendReceive send, int count, ReadOnlySpan<byte> data)
    {
        if (_filter is not null)
        {
            var violation = _filter.FilterRequests(data, out data);
            // A stream socket carries fds only with bytes: fds that came before any whole message would be lost.
            if (violation is null && data.IsEmpty && count > 0)
                violation = new FirewallViolation(FirewallRule.MalformedMessage, "identifiers in a SEND that completes no message");
            if (violation is not null)
            {
                CrossDomainLog.FirewallViolation(_logger, _vmName, _setup.ContextId, violation.Rule, violation.Message);
                _channelRing.CloseCompositor();
                return GpuError.InvalidParameter;
            }
            // The bytes wait for the rest of their message.
            if (data.IsEmpty) return GpuError.None;
        }
        var fds = _sendFds.AsSpan(0, count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                uint id = send.Identifiers[i];
                if ((IdentifierType)send.IdentifierTypes[i] == IdentifierType.VirtgpuBlob)
                {
                    // No duplicate: sendmsg copies the fd into the compositor, and a SEND that has
                    // to wait duplicates what it keeps.
                    fds[i] = ((BlobResource)_attached[id]).HostMemory!.Handle;
                    continue;
                }
                fds[i] = _readPipes.CreateForSend(id);
            }
            if (!_compositor!.Send(data, fds, out int errno))
            {
                CrossDomainLog.SendFailed(_logger, _setup.ContextId, errno);
                _readPipes.CloseUnsent();
                return GpuError.Unspecified;
            }
            _setup.Metrics?.SentToCompositor(data.Length, count);
            _readPipes.OpenSent();
            return GpuError.None;
        }
        catch (Win32Exception)
        {
            // Out of fds (pipe2, dup): the guest's SEND fails, the host goes on.
            _readPipes.CloseUnsent();
            return Refuse(CrossDomainCommand.Send, CrossDomainRefusal.HostOutOfFds);
        }
        finally
        {
            fds.Clear();
        }
    }

    private GpuError Write(ReadOnlySpan<byte> bytes)
    {
        const CrossDomainCommand Command = CrossDomainCommand.Write;
        if (!MemoryMarshal.TryRead(bytes, out CrossDomainReadWrite write)) return Refuse(Command, CrossDomainRefusal.CommandTooShort);
        if (write.OpaqueDataSize > (uint)(bytes.Length - CrossDomainReadWrite.Size))
            return Refuse(Command, CrossDomainRefusal.DataPastCommand);
        if (!_writePipes.TryGet(write.Identifier, out var pipe)) return Refuse(Command, CrossDomainRefusal.NoSuchWritePipe);
        var data = bytes.Slice(CrossDomainReadWrite.Size, (int)write.OpaqueDataSize);
        if (_filter?.CheckGuestWrite(pipe.Transfer, data.Length) is { } tooLarge)
        {
            CrossDomainLog.FirewallViolation(_logger, _vmName, _setup.ContextId, tooLarge.Rule, tooLarge.Message);
            _writePipes.Close(write.Identifier);
            _channelRing.CloseCompositor();
            return GpuError.InvalidParameter;
        }

        // Both guest habits are fine here: hang_up on a short write (sommelier) or on an empty last one (wayland-proxy-virtwl).
        var refusal = _writePipes.Write(write.Identifier, pipe, data, write.HangUp != 0);
        return refusal == CrossDomainRefusal.None ? GpuError.None : Refuse(Command, refusal);
    }

    private bool AllocateImage(ImageTemplate template, out HostBlob? blob)
    {
        blob = null;
        if (template.IsDmabuf) return AllocateDmabufImage(template, out blob);
        return AllocateMemfdImage(template.Size, transferLayout: null, out blob);
    }

    /// <summary>
    /// A memfd image. A guest's copy in its own pages gets one even where the template's buffers
    /// are dma-bufs: only the device reaches it (through transfers) and the compositor reads it as shm.
    /// </summary>
    private static bool AllocateMemfdImage(ulong size, BlobImageLayout? transferLayout, out HostBlob? blob)
    {
        try
        {
            blob = new HostBlob(FixedSizeMemfd("crossdomain-image", (long)size), size, MapCacheType.Cached, writable: true,
                transferLayout: transferLayout);
            return true;
        }
        catch (Win32Exception)
        {
            blob = null;
            return false;
        }
    }

    /// <summary>
    /// A memfd sealed at <paramref name="size"/>: nobody can shrink it under a mapping (a SIGBUS in
    /// whoever maps it) or grow it past the blob, and it stays writable for the guest.
    /// </summary>
    private static FileDescriptor FixedSizeMemfd(string name, long size)
    {
        var memory = MemFd.Create(name, size);
        try
        {
            MemFd.AddSeals(memory, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal);
            return memory;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new GBM buffer for a dma-buf template. Cached, as rutabaga's minigbm allocator reports
    /// dma-bufs (see <see cref="ImageTemplate.Requirements"/>); writable, since the guest draws into it.
    /// </summary>
    private bool AllocateDmabufImage(ImageTemplate template, out HostBlob? blob)
    {
        blob = null;
        var key = template.Key;
        if (!_options.Gbm!.TryAllocate(key.Width, key.Height, key.DrmFormat, key.Flags, out var buffer)) return false;
        if (!template.Describes(buffer))
        {
            buffer.Dispose();
            return false;
        }
        // The blob owns the dma-buf now; the buffer object is not disposed.
        blob = new HostBlob(buffer.Dmabuf, template.Size, MapCacheType.Cached, writable: true);
        return true;
    }

    private GpuError Refuse(CrossDomainCommand command, CrossDomainRefusal refusal)
    {
        CrossDomainLog.CommandRefused(_logger, _setup.ContextId, command, refusal);
        return refusal.ToGpuError();
    }

    private GpuError RefuseBlob(in HostBlobRequest request, CrossDomainRefusal refusal)
    {
        CrossDomainLog.BlobRefused(_logger, _setup.ContextId, request.ResourceId, refusal);
        return refusal.ToGpuError();
    }
}

using CrossDomain.Host.Device;
using System.Buffers.Binary;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The firewall of one cross-domain context: it sees the guest's requests before the compositor
/// does and the compositor's events before the guest does, and reads just the messages it acts on
/// (to the display, the registries and the other objects it tracks: see <see cref="TrackedObjectKind"/>),
/// each only once it is whole. Every other message passes unread as its bytes come, from the buffer they came in: the
/// header is all the filter needs of it, to find the next one.
/// <para>
/// Globals: a registry's global events for interfaces off the allowlist never reach the guest, the
/// others arrive with their version capped; a bind must name a global advertised here, with its
/// interface and at a version it was offered. Windows: titles and app ids are rewritten to name
/// the VM. Limits: surfaces at once, shm pool and buffer sizes, the sizes a surface may be made to
/// cover, requests per second, MIME types per clipboard source, bytes per clipboard transfer. A
/// broken rule is a <see cref="FirewallViolation"/>, after which the context is done.
/// </para>
/// </summary>
internal sealed class WaylandStreamFilter
{
    /// <summary>libwayland's own limit (WL_MAX_MESSAGE_SIZE): no real peer sends more in one message.</summary>
    public const int MaxMessageSize = 4096;

    /// <summary>
    /// The largest event the filter reads (a registry's): it is assembled in front of the next
    /// RECEIVE's bytes, which must leave room to receive. A global names an interface; none comes near.
    /// </summary>
    public const int MaxReadEventSize = 1024;

    private const uint DisplayId = 1;

    // A string argument, its length word and the header, in a message no larger than a peer may send.
    private const int MaxStringBytes = MaxMessageSize - MessageHeader.Length - 4 - 1;

    private readonly FirewallPolicy _policy;
    private readonly StreamPosition _requestStream = new();
    private readonly StreamPosition _eventStream = new();
    private readonly GrowableBuffer _requests = new(MaxMessageSize * 2);
    private readonly GrowableBuffer _joined = new(MaxMessageSize * 2);
    private readonly byte[] _rewrittenMessage = new byte[MaxMessageSize];
    private int _rewrittenLength;
    private readonly Dictionary<uint, TrackedObject> _objects = [];
    private readonly Dictionary<uint, AdvertisedGlobal> _advertised = [];
    private readonly byte[] _rewritten = new byte[MaxStringBytes];
    private readonly RequestRate _rate;
    private int _surfaceCount;

    /// <param name="clock">Monotonic time for the request rate; the system's coarse clock unless a test moves it.</param>
    public WaylandStreamFilter(FirewallPolicy policy, TimeProvider? clock = null)
    {
        _policy = policy;
        _rate = new RequestRate(policy.MaxRequestsPerSecond, policy.MaxRequestBurst, clock ?? CoarseClock.Instance);
    }

    private ReadOnlySpan<byte> RewrittenMessage => _rewrittenMessage.AsSpan(0, _rewrittenLength);

    /// <summary>Bytes of an event the filter must read, held until the rest of it comes: see <see cref="FilterEvents"/>.</summary>
    public int HeldEventLength => _eventStream.HeldLength;

    /// <summary>
    /// Judges the guest's bytes. What may go to the compositor is in <paramref name="output"/>,
    /// valid until the next call: <paramref name="data"/> itself, or a prefix of it, unless a held
    /// message was finished or one was rewritten. Null, or the violation, with nothing to send.
    /// <para>
    /// Messages the filter does not read (most of them) pass as their bytes come, cut or not; one
    /// it reads (to the display, a registry or a tracked xdg-shell object) is held until whole.
    /// </para>
    /// </summary>
    public FirewallViolation? FilterRequests(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> output)
    {
        output = default;
        var stream = _requestStream;
        if (stream.HeldLength > 0)
        {
            // A message the filter reads was cut by the end of the last SEND (rare): its bytes go
            // in front of the new ones.
            _joined.Clear();
            _joined.Advance(stream.TakeHeld(_joined.GetSpan(stream.HeldLength)));
            _joined.Append(data);
            data = _joined.Written;
        }
        _rate.Refill();
        // Until a message is rewritten, what passes is data[..passedEnd], with no copy.
        bool copying = false;
        _requests.Clear();
        int position = stream.SkipUnread(data.Length);
        int passedEnd = position;
        while (position < data.Length)
        {
            var rest = data[position..];
            if (rest.Length < MessageHeader.Length)
            {
                stream.Hold(rest);
                break;
            }
            if (!TrySize(rest, out int size)) return MalformedHeader("a request");
            uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            bool tracked = _objects.TryGetValue(objectId, out var target);
            if (objectId != DisplayId && !tracked)
            {
                // Counted here, where its first bytes pass: the rest of it is skipped unread.
                if (!_rate.TryTake()) return RateExceeded(rest);
                int taken = stream.PassUnread(size, rest.Length);
                if (copying) _requests.Append(rest[..taken]);
                else passedEnd += taken;
                position += taken;
                continue;
            }
            if (rest.Length < size)
            {
                stream.Hold(rest);
                break;
            }
            var message = rest[..size];
            // Counted once whole: a held message comes round again.
            if (!_rate.TryTake()) return RateExceeded(message);
            var violation = OnRequest(message, target, out bool rewritten);
            if (violation is not null) return violation;
            if (rewritten && !copying)
            {
                copying = true;
                _requests.Append(data[..passedEnd]);
            }
            if (copying) _requests.Append(rewritten ? RewrittenMessage : message);
            else passedEnd += size;
            position += size;
        }
        output = copying ? _requests.Written : data[..passedEnd];
        return null;
    }

    /// <summary>
    /// Judges a WRITE of <paramref name="count"/> bytes into a transfer the guest is the source of
    /// (wl_data_source.send) before any of it goes: past the limit a violation, which ends the
    /// context as one in the stream does. The pipe counts what it accepts; a WRITE it refuses
    /// (its backlog full) is judged again when the guest retries.
    /// </summary>
    public FirewallViolation? CheckGuestWrite(TransferMeter transfer, int count) =>
        transfer.Bytes + count <= _policy.MaxTransferBytes ? null
            : new FirewallViolation(FirewallRule.TransferTooLarge, $"a WRITE of {count} bytes into a transfer that carried {transfer.Bytes}, past {_policy.MaxTransferBytes} bytes");

    /// <summary>
    /// Counts <paramref name="count"/> more bytes of a transfer the guest receives
    /// (wl_data_offer.receive); past the limit a violation, and nothing counted. The host's source
    /// decides how much it sends, so the caller ends that transfer, not the context.
    /// </summary>
    public FirewallViolation? CountGuestRead(TransferMeter transfer, int count)
    {
        if (transfer.Bytes + count > _policy.MaxTransferBytes)
            return new FirewallViolation(FirewallRule.TransferTooLarge, $"a READ of {count} more bytes from a transfer that carried {transfer.Bytes}, past {_policy.MaxTransferBytes} bytes");
        transfer.Add(count);
        return null;
    }

    /// <summary>
    /// Judges the compositor's bytes where they lie. The caller received
    /// <paramref name="received"/> bytes at <c>buffer[HeldEventLength..]</c>; the filter puts the
    /// event it held in front of them, drops the globals the guest may not see, caps the others'
    /// versions, and leaves what may go to the guest in <c>buffer[..passed]</c>: never more than came
    /// in, so it fits where the bytes were received. Null, or the violation.
    /// </summary>
    public FirewallViolation? FilterEvents(Span<byte> buffer, int received, out int passed)
    {
        passed = 0;
        var stream = _eventStream;
        int length = stream.TakeHeld(buffer) + received;
        int read = stream.SkipUnread(length), written = read;
        while (read < length)
        {
            var rest = buffer[read..length];
            if (rest.Length < MessageHeader.Length)
            {
                stream.Hold(rest);
                break;
            }
            if (!TrySize(rest, out int size)) return MalformedHeader("an event");
            uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            if (!_objects.TryGetValue(objectId, out var target) || target.Kind != TrackedObjectKind.Registry)
            {
                int taken = stream.PassUnread(size, rest.Length);
                MoveDown(buffer, read, written, taken);
                read += taken;
                written += taken;
                continue;
            }
            if (size > MaxReadEventSize)
                return new FirewallViolation(FirewallRule.MalformedMessage, $"a registry event of {size} bytes, more than the {MaxReadEventSize} the filter reads");
            if (rest.Length < size)
            {
                stream.Hold(rest);
                break;
            }
            var violation = OnRegistryEvent(rest[..size], out bool dropped);
            if (violation is not null) return violation;
            if (!dropped)
            {
                MoveDown(buffer, read, written, size);
                written += size;
            }
            read += size;
        }
        passed = written;
        return null;
    }

    /// <summary>Compacts the buffer past a dropped event; nothing moves while nothing was dropped.</summary>
    private static void MoveDown(Span<byte> buffer, int from, int to, int count)
    {
        if (from != to) buffer.Slice(from, count).CopyTo(buffer[to..]);
    }

    private static bool TrySize(ReadOnlySpan<byte> header, out int size)
    {
        size = (int)(BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) >> 16);
        return size >= MessageHeader.Length && (size & 3) == 0 && size <= MaxMessageSize;
    }

    private static FirewallViolation MalformedHeader(string what) =>
        new(FirewallRule.MalformedMessage, $"{what} whose header gives a size under 8, unaligned or over {MaxMessageSize} bytes");

    /// <summary>
    /// Judges a whole request to the display or to <paramref name="target"/>; <paramref name="rewritten"/>
    /// when it goes on as <see cref="RewrittenMessage"/> instead.
    /// </summary>
    private FirewallViolation? OnRequest(ReadOnlySpan<byte> message, TrackedObject target, out bool rewritten)
    {
        rewritten = false;
        uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(message);
        ushort opcode = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        var body = message[MessageHeader.Length..];
        if (objectId == DisplayId)
        {
            if (opcode != WlDisplay.Requests.GetRegistry) return null;
            if (WlDisplay.GetRegistryRequest.TryDecode(body, [], out var request) != WireError.None)
                return Malformed("wl_display.get_registry");
            return Track(request.Registry, TrackedObjectKind.Registry);
        }
        switch (target.Kind)
        {
            case TrackedObjectKind.Registry when opcode == WlRegistry.Requests.Bind:
                return Bind(body);
            case TrackedObjectKind.XdgWmBase when opcode == XdgWmBase.Requests.GetXdgSurface:
                if (XdgWmBase.GetXdgSurfaceRequest.TryDecode(body, [], out var getSurface) != WireError.None)
                    return Malformed("xdg_wm_base.get_xdg_surface");
                return Track(getSurface.Id, TrackedObjectKind.XdgSurface);
            case TrackedObjectKind.XdgSurface when opcode == XdgSurface.Requests.GetToplevel:
                if (XdgSurface.GetToplevelRequest.TryDecode(body, [], out var getToplevel) != WireError.None)
                    return Malformed("xdg_surface.get_toplevel");
                return Track(getToplevel.Id, TrackedObjectKind.XdgToplevel);
            case TrackedObjectKind.XdgToplevel when opcode == XdgToplevel.Requests.SetTitle:
                if (XdgToplevel.SetTitleRequest.TryDecode(body, [], out var setTitle) != WireError.None)
                    return Malformed("xdg_toplevel.set_title");
                Rewrite(objectId, opcode, _policy.Title, setTitle.Title);
                rewritten = true;
                return null;
            case TrackedObjectKind.XdgToplevel when opcode == XdgToplevel.Requests.SetAppId:
                if (XdgToplevel.SetAppIdRequest.TryDecode(body, [], out var setAppId) != WireError.None)
                    return Malformed("xdg_toplevel.set_app_id");
                Rewrite(objectId, opcode, _policy.AppId, setAppId.AppId);
                rewritten = true;
                return null;
            // A minimum size makes the compositor give the window at least that much; a maximum asks for nothing.
            case TrackedObjectKind.XdgToplevel when opcode == XdgToplevel.Requests.SetMinSize:
                return SurfaceSize(body, objectId, "xdg_toplevel.set_min_size");
            case TrackedObjectKind.Compositor when opcode == WlCompositor.Requests.CreateSurface:
                return CreateSurface(body);
            case TrackedObjectKind.Shm when opcode == WlShm.Requests.CreatePool:
                return CreatePool(body);
            case TrackedObjectKind.ShmPool when opcode == WlShmPool.Requests.CreateBuffer:
                return CreateBuffer(body, objectId, target.Counted);
            case TrackedObjectKind.ShmPool when opcode == WlShmPool.Requests.Resize:
                return ResizePool(body, objectId);
            case TrackedObjectKind.Viewporter when opcode == WpViewporter.Requests.GetViewport:
                return TrackNewId(body, TrackedObjectKind.Viewport, "wp_viewporter.get_viewport");
            // A viewport scales whatever buffer is attached, however small, to its destination.
            case TrackedObjectKind.Viewport when opcode == WpViewport.Requests.SetDestination:
                return SurfaceSize(body, objectId, "wp_viewport.set_destination");
            case TrackedObjectKind.DataDeviceManager when opcode == WlDataDeviceManager.Requests.CreateDataSource:
                return TrackNewId(body, TrackedObjectKind.DataSource, "wl_data_device_manager.create_data_source");
            case TrackedObjectKind.PrimarySelectionDeviceManager when opcode == ZwpPrimarySelectionDeviceManagerV1.Requests.CreateSource:
                return TrackNewId(body, TrackedObjectKind.PrimarySelectionSource, "zwp_primary_selection_device_manager_v1.create_source");
            case TrackedObjectKind.DataSource when opcode == WlDataSource.Requests.Offer:
                return Offer(body, objectId, target, "wl_data_source.offer");
            case TrackedObjectKind.PrimarySelectionSource when opcode == ZwpPrimarySelectionSourceV1.Requests.Offer:
                return Offer(body, objectId, target, "zwp_primary_selection_source_v1.offer");
            case TrackedObjectKind.LinuxDmabuf when opcode == ZwpLinuxDmabufV1.Requests.CreateParams:
                return TrackNewId(body, TrackedObjectKind.LinuxBufferParams, "zwp_linux_dmabuf_v1.create_params");
            case TrackedObjectKind.LinuxBufferParams when opcode is ZwpLinuxBufferParamsV1.Requests.Create or ZwpLinuxBufferParamsV1.Requests.CreateImmed:
                return DmabufSize(body, objectId, opcode);
        }
        // The id may then be reused for anything.
        if (target.Kind.IsDestructor(opcode)) Forget(objectId);
        return null;
    }

    private FirewallViolation? Bind(ReadOnlySpan<byte> body)
    {
        if (WlRegistry.BindRequest.TryDecode(body, [], out var bind) != WireError.None) return Malformed("wl_registry.bind");
        var allowed = _policy.Find(bind.Interface);
        if (allowed is null) return BindViolation(FirewallRule.GlobalNotAllowed, bind);
        if (!_advertised.TryGetValue(bind.Name, out var global)) return BindViolation(FirewallRule.GlobalNotAdvertised, bind);
        if (!ReferenceEquals(global.Allowed, allowed)) return BindViolation(FirewallRule.InterfaceMismatch, bind);
        if (bind.Version < 1 || bind.Version > global.OfferedVersion) return BindViolation(FirewallRule.VersionAboveCap, bind);
        return allowed.BoundKind is { } kind ? Track(bind.Id, kind) : null;
    }

    private FirewallViolation? Track(uint id, TrackedObjectKind kind, long counted = 0)
    {
        // An id still in use is the compositor's protocol error to report; here it just changes kind.
        bool reused = _objects.TryGetValue(id, out var old);
        if (!reused && _objects.Count >= _policy.MaxTrackedObjects)
            return new FirewallViolation(FirewallRule.TooManyObjects, $"a new {kind.Interface().Name} (id {id}) past {_policy.MaxTrackedObjects} tracked objects");
        if (reused && old.Kind == TrackedObjectKind.Surface) _surfaceCount--;
        if (kind == TrackedObjectKind.Surface) _surfaceCount++;
        _objects[id] = new TrackedObject(kind, counted);
        return null;
    }

    private void Forget(uint id)
    {
        if (_objects.Remove(id, out var gone) && gone.Kind == TrackedObjectKind.Surface) _surfaceCount--;
    }

    /// <summary>A request whose only argument is the new object's id, which the filter tracks as <paramref name="kind"/>.</summary>
    private FirewallViolation? TrackNewId(ReadOnlySpan<byte> body, TrackedObjectKind kind, string request)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadObject(nullable: false, out uint id)) return Malformed(request);
        return Track(id, kind);
    }

    private FirewallViolation? CreateSurface(ReadOnlySpan<byte> body)
    {
        if (WlCompositor.CreateSurfaceRequest.TryDecode(body, [], out var create) != WireError.None) return Malformed("wl_compositor.create_surface");
        if (_surfaceCount >= _policy.MaxSurfaces)
            return new FirewallViolation(FirewallRule.TooManySurfaces, $"wl_compositor.create_surface(new id {create.Id}) past {_policy.MaxSurfaces} surfaces");
        return Track(create.Id, TrackedObjectKind.Surface);
    }

    private FirewallViolation? CreatePool(ReadOnlySpan<byte> body)
    {
        // new_id, fd (out of band: no bytes here), size.
        var reader = new WireReader(body);
        if (!reader.TryReadObject(nullable: false, out uint id) || !reader.TryReadInt(out int size) || !reader.TryFinish())
            return Malformed("wl_shm.create_pool");
        if (size > _policy.MaxShmPoolBytes)
            return new FirewallViolation(FirewallRule.ShmPoolTooLarge, $"wl_shm.create_pool(new id {id}, size {size}) past {_policy.MaxShmPoolBytes} bytes");
        return Track(id, TrackedObjectKind.ShmPool, size);
    }

    private FirewallViolation? ResizePool(ReadOnlySpan<byte> body, uint pool)
    {
        if (WlShmPool.ResizeRequest.TryDecode(body, [], out var resize) != WireError.None) return Malformed("wl_shm_pool.resize");
        if (resize.Size > _policy.MaxShmPoolBytes)
            return new FirewallViolation(FirewallRule.ShmPoolTooLarge, $"wl_shm_pool@{pool}.resize({resize.Size}) past {_policy.MaxShmPoolBytes} bytes");
        // A pool may only grow; a shrink is the compositor's protocol error, and buffers are then judged against the smaller size.
        _objects[pool] = new TrackedObject(TrackedObjectKind.ShmPool, resize.Size);
        return null;
    }

    private FirewallViolation? CreateBuffer(ReadOnlySpan<byte> body, uint pool, long poolSize)
    {
        if (WlShmPool.CreateBufferRequest.TryDecode(body, [], out var create) != WireError.None) return Malformed("wl_shm_pool.create_buffer");
        int max = _policy.MaxBufferSize;
        int offset = create.Offset, width = create.Width, height = create.Height, stride = create.Stride;
        if (width > max || height > max)
            return BufferViolation(FirewallRule.BufferTooLarge, $"past {max} pixels a side");
        // libwayland's own checks, here before any compositor sees the request: rows at least a
        // pixel wide each, and the last row's end within the pool.
        if (offset < 0 || width < 1 || height < 1 || stride < width || offset + (long)stride * height > poolSize)
            return BufferViolation(FirewallRule.BufferOutsidePool, $"outside a pool of {poolSize} bytes");
        return null;

        FirewallViolation BufferViolation(FirewallRule rule, string why) => new(rule,
            $"wl_shm_pool@{pool}.create_buffer(offset {offset}, {width}x{height}, stride {stride}) {why}");
    }

    private FirewallViolation? DmabufSize(ReadOnlySpan<byte> body, uint parameters, ushort opcode)
    {
        bool immediate = opcode == ZwpLinuxBufferParamsV1.Requests.CreateImmed;
        string request = immediate ? "zwp_linux_buffer_params_v1.create_immed" : "zwp_linux_buffer_params_v1.create";
        var reader = new WireReader(body);
        if ((immediate && !reader.TryReadObject(nullable: false, out _)) || !reader.TryReadInt(out int width) || !reader.TryReadInt(out int height))
            return Malformed(request);
        int max = _policy.MaxBufferSize;
        return width > max || height > max
            ? new FirewallViolation(FirewallRule.BufferTooLarge, $"{request} on params {parameters}: {width}x{height}, past {max} pixels a side")
            : null;
    }

    /// <summary>A request of two ints, a width and a height, that the compositor will make a surface cover.</summary>
    private FirewallViolation? SurfaceSize(ReadOnlySpan<byte> body, uint objectId, string request)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadInt(out int width) || !reader.TryReadInt(out int height) || !reader.TryFinish()) return Malformed(request);
        int max = _policy.MaxSurfaceSize;
        return width > max || height > max
            ? new FirewallViolation(FirewallRule.SurfaceTooLarge, $"{request} on object {objectId}: {width}x{height}, past {max} pixels a side")
            : null;
    }

    private FirewallViolation? Offer(ReadOnlySpan<byte> body, uint source, TrackedObject target, string request)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadString(nullable: false, out var mimeType, out _) || !reader.TryFinish()) return Malformed(request);
        if (target.Counted >= _policy.MaxMimeTypes)
            return new FirewallViolation(FirewallRule.TooManyMimeTypes, $"{request} on source {source}: \"{LogText.Escape(mimeType, 64)}\" past {_policy.MaxMimeTypes} MIME types");
        if (mimeType.Length > _policy.MaxMimeTypeLength)
            return new FirewallViolation(FirewallRule.MimeTypeTooLong, $"{request} on source {source}: a MIME type of {mimeType.Length} bytes (\"{LogText.Escape(mimeType, 64)}\"), past {_policy.MaxMimeTypeLength}");
        _objects[source] = target with { Counted = target.Counted + 1 };
        return null;
    }

    private FirewallViolation RateExceeded(ReadOnlySpan<byte> message)
    {
        uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(message);
        ushort opcode = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        string request = objectId == DisplayId ? $"wl_display opcode {opcode}"
            : _objects.TryGetValue(objectId, out var target) && target.Kind.Interface().GetRequest(opcode) is { } signature
                ? $"{target.Kind.Interface().Name}@{objectId}.{signature.Name}"
                : $"object {objectId} opcode {opcode}";
        return new FirewallViolation(FirewallRule.RequestRateExceeded,
            $"a request ({request}) past {_rate.Burst} at once or {_rate.PerSecond} a second");
    }

    /// <summary>A string request again, with the string formatted: the message grows, so size, length and padding are new.</summary>
    private void Rewrite(uint objectId, ushort opcode, StringTemplate template, ReadOnlySpan<byte> value)
    {
        int length = template.Write(value, _rewritten, MaxStringBytes);
        int padded = (length + 1 + 3) & ~3;
        int size = MessageHeader.Length + 4 + padded;
        var destination = _rewrittenMessage.AsSpan(0, size);
        new MessageHeader(objectId, opcode, (ushort)size).Write(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[MessageHeader.Length..], (uint)length + 1);
        var text = destination[(MessageHeader.Length + 4)..];
        _rewritten.AsSpan(0, length).CopyTo(text);
        text[length..].Clear();
        _rewrittenLength = size;
    }

    /// <summary>Judges a whole event on a registry, capping a global's version where it lies; <paramref name="dropped"/> when the guest must not see it.</summary>
    private FirewallViolation? OnRegistryEvent(Span<byte> message, out bool dropped)
    {
        dropped = false;
        ushort opcode = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        var body = message[MessageHeader.Length..];
        if (opcode == WlRegistry.Events.Global)
        {
            if (WlRegistry.GlobalEvent.TryDecode(body, [], out var global) != WireError.None) return Malformed("wl_registry.global event");
            var allowed = _policy.Find(global.Interface);
            // Hidden: the guest's registry never lists it, so nothing in the guest can even ask for it.
            if (allowed is null || global.Version == 0)
            {
                dropped = true;
                return null;
            }
            uint offered = Math.Min(global.Version, allowed.Cap);
            _advertised[global.Name] = new AdvertisedGlobal(allowed, offered);
            // The version is the last argument; the rest of the message is unchanged.
            BinaryPrimitives.WriteUInt32LittleEndian(message[^4..], offered);
        }
        else if (opcode == WlRegistry.Events.GlobalRemove)
        {
            if (WlRegistry.GlobalRemoveEvent.TryDecode(body, [], out var removed) != WireError.None) return Malformed("wl_registry.global_remove event");
            // A removal of a hidden global is hidden too: the guest never heard of the name.
            dropped = !_advertised.Remove(removed.Name);
        }
        return null;
    }

    private static FirewallViolation Malformed(string what) =>
        new(FirewallRule.MalformedMessage, $"{what} with arguments that do not decode");

    private static FirewallViolation BindViolation(FirewallRule rule, in WlRegistry.BindRequest bind) =>
        new(rule, $"wl_registry.bind(name {bind.Name}, \"{LogText.Escape(bind.Interface, 64)}\", version {bind.Version}, id {bind.Id})");
}

/// <summary>
/// One direction's place in its stream between calls: the rest of a message passed on unread, or
/// the start of one the filter must read whole (or of a header), held until the rest comes.
/// </summary>
internal sealed class StreamPosition
{
    private readonly byte[] _held = new byte[WaylandStreamFilter.MaxMessageSize];
    private int _unread;

    public int HeldLength { get; private set; }

    /// <summary>How many of the next <paramref name="available"/> bytes still belong to a message passed on unread.</summary>
    public int SkipUnread(int available)
    {
        int count = Math.Min(_unread, available);
        _unread -= count;
        return count;
    }

    /// <summary>A message of <paramref name="size"/> bytes passes unread; returns how many of them are here.</summary>
    public int PassUnread(int size, int available)
    {
        int count = Math.Min(size, available);
        _unread = size - count;
        return count;
    }

    public void Hold(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_held);
        HeldLength = bytes.Length;
    }

    /// <summary>Moves the held bytes to the front of <paramref name="destination"/>; returns how many.</summary>
    public int TakeHeld(Span<byte> destination)
    {
        int count = HeldLength;
        _held.AsSpan(0, count).CopyTo(destination);
        HeldLength = 0;
        return count;
    }
}

/// <summary>A global as this context was told of it: the allowlist's entry for its interface and the version it was offered at.</summary>
internal readonly record struct AdvertisedGlobal(AllowedGlobal Allowed, uint OfferedVersion);


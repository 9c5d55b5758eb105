using CrossDomain.Host.Device;
using System.Buffers.Binary;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The firewall of one cross-domain context: it sees the guest's requests before the compositor
/// does and the compositor's events before the guest does, and reads just the messages it acts on
/// (to the display, the registries and the xdg-shell objects it tracks), each only once it is
/// whole. Every other message passes unread as its bytes come, from the buffer they came in: the
/// header is all the filter needs of it, to find the next one.
/// <para>
/// Globals: a registry's global events for interfaces off the allowlist never reach the guest, the
/// others arrive with their version capped; a bind must name a global advertised here, with its
/// interface and at a version it was offered. Windows: titles and app ids are rewritten to name
/// the VM. A broken rule is a <see cref="FirewallViolation"/>, after which the context is done.
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
    private readonly Dictionary<uint, TrackedObjectKind> _objects = [];
    private readonly Dictionary<uint, AdvertisedGlobal> _advertised = [];
    private readonly byte[] _rewritten = new byte[MaxStringBytes];

    public WaylandStreamFilter(FirewallPolicy policy) => _policy = policy;

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
            if (objectId != DisplayId && !_objects.ContainsKey(objectId))
            {
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
            var violation = OnRequest(message, out bool rewritten);
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
            if (!_objects.TryGetValue(objectId, out var kind) || kind != TrackedObjectKind.Registry)
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

    /// <summary>Judges a whole request; <paramref name="rewritten"/> when it goes on as <see cref="RewrittenMessage"/> instead.</summary>
    private FirewallViolation? OnRequest(ReadOnlySpan<byte> message, out bool rewritten)
    {
        rewritten = false;
        uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(message);
        ushort opcode = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        var body = message[MessageHeader.Length..];
        FirewallViolation? violation = null;
        if (objectId == DisplayId)
        {
            if (opcode == WlDisplay.Requests.GetRegistry)
            {
                if (WlDisplay.GetRegistryRequest.TryDecode(body, [], out var request) != WireError.None)
                    return Malformed("wl_display.get_registry");
                violation = Track(request.Registry, TrackedObjectKind.Registry);
            }
        }
        else if (_objects.TryGetValue(objectId, out var kind))
        {
            switch (kind)
            {
                case TrackedObjectKind.Registry when opcode == WlRegistry.Requests.Bind:
                    violation = Bind(body);
                    break;
                case TrackedObjectKind.XdgWmBase when opcode == XdgWmBase.Requests.GetXdgSurface:
                    if (XdgWmBase.GetXdgSurfaceRequest.TryDecode(body, [], out var getSurface) != WireError.None)
                        return Malformed("xdg_wm_base.get_xdg_surface");
                    violation = Track(getSurface.Id, TrackedObjectKind.XdgSurface);
                    break;
                case TrackedObjectKind.XdgSurface when opcode == XdgSurface.Requests.GetToplevel:
                    if (XdgSurface.GetToplevelRequest.TryDecode(body, [], out var getToplevel) != WireError.None)
                        return Malformed("xdg_surface.get_toplevel");
                    violation = Track(getToplevel.Id, TrackedObjectKind.XdgToplevel);
                    break;
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
                // Opcode 0 is destroy for each of the xdg-shell interfaces; the id may then be reused for anything.
                case TrackedObjectKind.XdgWmBase or TrackedObjectKind.XdgSurface or TrackedObjectKind.XdgToplevel when opcode == 0:
                    _objects.Remove(objectId);
                    break;
            }
        }
        return violation;
    }

    private FirewallViolation? Bind(ReadOnlySpan<byte> body)
    {
        if (WlRegistry.BindRequest.TryDecode(body, [], out var bind) != WireError.None) return Malformed("wl_registry.bind");
        var allowed = _policy.Find(bind.Interface);
        if (allowed is null) return BindViolation(FirewallRule.GlobalNotAllowed, bind);
        if (!_advertised.TryGetValue(bind.Name, out var global)) return BindViolation(FirewallRule.GlobalNotAdvertised, bind);
        if (!ReferenceEquals(global.Allowed, allowed)) return BindViolation(FirewallRule.InterfaceMismatch, bind);
        if (bind.Version < 1 || bind.Version > global.OfferedVersion) return BindViolation(FirewallRule.VersionAboveCap, bind);
        return allowed.Name == XdgWmBase.Name ? Track(bind.Id, TrackedObjectKind.XdgWmBase) : null;
    }

    private FirewallViolation? Track(uint id, TrackedObjectKind kind)
    {
        if (_objects.Count >= _policy.MaxTrackedObjects && !_objects.ContainsKey(id))
            return new FirewallViolation(FirewallRule.TooManyObjects, $"a new {kind} (id {id}) past {_policy.MaxTrackedObjects} tracked objects");
        _objects[id] = kind;
        return null;
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

/// <summary>The few kinds of object whose messages the filter reads; every other object's messages pass unread.</summary>
internal enum TrackedObjectKind : byte
{
    Registry,
    XdgWmBase,
    XdgSurface,
    XdgToplevel,
}

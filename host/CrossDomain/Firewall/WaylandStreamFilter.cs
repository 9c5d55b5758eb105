using CrossDomain.Host.Device;
using System.Buffers.Binary;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The firewall of one cross-domain context: it sees the guest's requests before the compositor
/// does and the compositor's events before the guest does, passes on whole messages only, and
/// reads just the ones it acts on (the display's get_registry, and messages to the registries and
/// xdg-shell objects it tracks); every other message is copied through unread.
/// <para>
/// Globals: a registry's global events for interfaces off the allowlist never reach the guest, the
/// others arrive with their version capped; a bind must name a global advertised here, with its
/// interface and at a version it was offered. Windows: titles and app ids are rewritten to name
/// the VM. A broken rule is a <see cref="FirewallViolation"/>, after which the context is done.
/// </para>
/// </summary>
internal sealed class WaylandStreamFilter
{
    private const uint DisplayId = 1;

    // A string argument, its length word and the header, in a message no larger than the framer takes.
    private const int MaxStringBytes = MessageFramer.MaxMessageSize - MessageHeader.Length - 4 - 1;

    private readonly FirewallPolicy _policy;
    private readonly MessageFramer _requestFramer = new();
    private readonly MessageFramer _eventFramer = new();
    private readonly GrowableBuffer _requests = new(MessageFramer.MaxMessageSize * 2);
    private readonly GrowableBuffer _events = new(MessageFramer.MaxMessageSize * 2);
    private readonly Dictionary<uint, TrackedObjectKind> _objects = [];
    private readonly Dictionary<uint, AdvertisedGlobal> _advertised = [];
    private readonly byte[] _rewritten = new byte[MaxStringBytes];

    public WaylandStreamFilter(FirewallPolicy policy) => _policy = policy;

    /// <summary>Events judged and ready for the guest, not yet delivered.</summary>
    public int PendingEventBytes => _events.Length;

    /// <summary>
    /// Judges the guest's bytes. The whole messages among them (and those the earlier calls left
    /// unfinished), rewritten where the policy says, are in <paramref name="output"/> (valid until
    /// the next call); null, or the violation, with nothing to send.
    /// </summary>
    public FirewallViolation? FilterRequests(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> output)
    {
        output = default;
        _requests.Clear();
        var frames = _requestFramer.Frame(data);
        while (true)
        {
            switch (frames.Next(out var message))
            {
                case FrameStatus.End:
                    output = _requests.Written;
                    return null;
                case FrameStatus.Malformed:
                    return new FirewallViolation(FirewallRule.MalformedMessage, "a request whose header gives a size under 8, unaligned or over 4096 bytes");
            }
            var violation = OnRequest(message);
            if (violation is not null) return violation;
        }
    }

    /// <summary>
    /// Judges the compositor's bytes: whole messages that pass join the pending events (see
    /// <see cref="TakeEvents"/>). Null, or the violation when the compositor's stream cannot be framed.
    /// </summary>
    public FirewallViolation? FilterEvents(ReadOnlySpan<byte> data)
    {
        var frames = _eventFramer.Frame(data);
        while (true)
        {
            switch (frames.Next(out var message))
            {
                case FrameStatus.End:
                    return null;
                case FrameStatus.Malformed:
                    return new FirewallViolation(FirewallRule.MalformedMessage, "an event whose header gives a size under 8, unaligned or over 4096 bytes");
            }
            var violation = OnEvent(message);
            if (violation is not null) return violation;
        }
    }

    /// <summary>Moves pending events into <paramref name="destination"/>; a message may be cut, since the guest reads a stream.</summary>
    public int TakeEvents(Span<byte> destination) => _events.Take(destination);

    private FirewallViolation? OnRequest(ReadOnlySpan<byte> message)
    {
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
                    WriteRewritten(objectId, opcode, _policy.Title, setTitle.Title);
                    return null;
                case TrackedObjectKind.XdgToplevel when opcode == XdgToplevel.Requests.SetAppId:
                    if (XdgToplevel.SetAppIdRequest.TryDecode(body, [], out var setAppId) != WireError.None)
                        return Malformed("xdg_toplevel.set_app_id");
                    WriteRewritten(objectId, opcode, _policy.AppId, setAppId.AppId);
                    return null;
                // Opcode 0 is destroy for each of the xdg-shell interfaces; the id may then be reused for anything.
                case TrackedObjectKind.XdgWmBase or TrackedObjectKind.XdgSurface or TrackedObjectKind.XdgToplevel when opcode == 0:
                    _objects.Remove(objectId);
                    break;
            }
        }
        if (violation is not null) return violation;
        _requests.Append(message);
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
    private void WriteRewritten(uint objectId, ushort opcode, StringTemplate template, ReadOnlySpan<byte> value)
    {
        int length = template.Write(value, _rewritten, MaxStringBytes);
        int padded = (length + 1 + 3) & ~3;
        int size = MessageHeader.Length + 4 + padded;
        var destination = _requests.GetSpan(size);
        new MessageHeader(objectId, opcode, (ushort)size).Write(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[MessageHeader.Length..], (uint)length + 1);
        var text = destination[(MessageHeader.Length + 4)..size];
        _rewritten.AsSpan(0, length).CopyTo(text);
        text[length..].Clear();
        _requests.Advance(size);
    }

    private FirewallViolation? OnEvent(ReadOnlySpan<byte> message)
    {
        uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (!_objects.TryGetValue(objectId, out var kind) || kind != TrackedObjectKind.Registry)
        {
            _events.Append(message);
            return null;
        }
        ushort opcode = (ushort)BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        var body = message[MessageHeader.Length..];
        if (opcode == WlRegistry.Events.Global)
        {
            if (WlRegistry.GlobalEvent.TryDecode(body, [], out var global) != WireError.None) return Malformed("wl_registry.global event");
            var allowed = _policy.Find(global.Interface);
            // Hidden: the guest's registry never lists it, so nothing in the guest can even ask for it.
            if (allowed is null || global.Version == 0) return null;
            uint offered = Math.Min(global.Version, allowed.Cap);
            _advertised[global.Name] = new AdvertisedGlobal(allowed, offered);
            var copy = _events.GetSpan(message.Length);
            message.CopyTo(copy);
            // The version is the last argument; the rest of the message is unchanged.
            BinaryPrimitives.WriteUInt32LittleEndian(copy[(message.Length - 4)..], offered);
            _events.Advance(message.Length);
            return null;
        }
        if (opcode == WlRegistry.Events.GlobalRemove)
        {
            if (WlRegistry.GlobalRemoveEvent.TryDecode(body, [], out var removed) != WireError.None) return Malformed("wl_registry.global_remove event");
            // A removal of a hidden global is hidden too: the guest never heard of the name.
            if (!_advertised.Remove(removed.Name)) return null;
        }
        _events.Append(message);
        return null;
    }

    private static FirewallViolation Malformed(string what) =>
        new(FirewallRule.MalformedMessage, $"{what} with arguments that do not decode");

    private static FirewallViolation BindViolation(FirewallRule rule, in WlRegistry.BindRequest bind) =>
        new(rule, $"wl_registry.bind(name {bind.Name}, \"{LogText.Escape(bind.Interface, 64)}\", version {bind.Version}, id {bind.Id})");
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

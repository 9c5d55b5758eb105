using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Wayland.Connection;

/// <summary>The interface and version of every live object id on one connection.</summary>
public sealed class WaylandObjectMap
{
    public const uint DisplayId = 1;

    /// <summary>Ids from here up are allocated by the server (WL_SERVER_ID_START).</summary>
    public const uint ServerIdStart = 0xFF000000;

    private readonly Dictionary<uint, LiveObject> _objects = [];

    public WaylandObjectMap()
    {
        _objects[DisplayId] = new LiveObject(WlDisplay.Interface, 1);
    }

    public int Count => _objects.Count;

    public bool TryGet(uint id, out LiveObject live) => _objects.TryGetValue(id, out live);

    /// <summary>Records a new object; false when the id is 0 or already live.</summary>
    public bool TryAdd(uint id, WaylandInterface @interface, uint version)
    {
        if (id == 0) return false;
        return _objects.TryAdd(id, new LiveObject(@interface, version));
    }

    /// <summary>
    /// Records an object the server made, replacing whatever had the id: the server reuses its ids
    /// once the client destroyed the object, without a delete_id the client could wait for.
    /// </summary>
    public bool TryAddServerObject(uint id, WaylandInterface @interface, uint version)
    {
        if (id < ServerIdStart) return false;
        _objects[id] = new LiveObject(@interface, version);
        return true;
    }

    public bool Remove(uint id) => id != DisplayId && _objects.Remove(id);

    /// <summary>The signature of <paramref name="opcode"/> on object <paramref name="objectId"/>, or the reason there is none.</summary>
    public MessageSignature? Resolve(uint objectId, ushort opcode, MessageDirection direction, out WireError error)
    {
        error = WireError.None;
        if (!_objects.TryGetValue(objectId, out var live))
        {
            error = WireError.UnknownObject;
            return null;
        }
        var signature = direction == MessageDirection.Requests ? live.Interface.GetRequest(opcode) : live.Interface.GetEvent(opcode);
        if (signature is null) error = WireError.UnknownOpcode;
        return signature;
    }
}

public readonly record struct LiveObject(WaylandInterface Interface, uint Version);

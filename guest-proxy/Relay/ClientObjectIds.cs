using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.GuestProxy.Relay;

internal static class ClientObjectIds
{
    /// <summary>Records an object a client request creates, refusing ids that are not the client's to take.</summary>
    public static void AddClientObject(this WaylandObjectMap objects, uint parent, uint id, WaylandInterface @interface, uint version)
    {
        if (id >= WaylandObjectMap.ServerIdStart || !objects.TryAdd(id, @interface, version))
            throw new ClientProtocolException(parent, DisplayError.InvalidObject, $"new id {id} is not free");
    }
}

using CrossDomain.Wayland.Protocol;

namespace CrossDomain.GuestProxy.Relay.Registry;

/// <summary>
/// What each of one client's wl_registry objects was told: the globals the policy let through, at
/// the version offered, and the proxy's own (linux-dmabuf, made on a host wl_shm). A bind must name
/// one of those; a global_remove for one never announced is not passed on.
/// </summary>
internal sealed class RegistryFilter(GlobalPolicy policy)
{
    private readonly Dictionary<uint, Dictionary<uint, AdvertisedGlobal>> _registries = [];

    /// <summary>wl_display.get_registry, once passed on.</summary>
    public void RegistryCreated(uint registryId) => _registries[registryId] = [];

    /// <summary>The host's delete_id for an object: if it was a registry, it has no globals any more.</summary>
    public void Deleted(uint id) => _registries.Remove(id);

    /// <summary>
    /// A client's wl_registry.bind: the global as announced, or a protocol error when it was not
    /// announced on this registry or not at this version.
    /// </summary>
    public AdvertisedGlobal Bind(uint registryId, uint name, string interfaceName, uint version)
    {
        if (!_registries.TryGetValue(registryId, out var advertised) || !advertised.TryGetValue(name, out var global)
            || global.Interface.Name != interfaceName || version < 1 || version > global.Version
            || (global.OwnOnHostGlobal is null && !policy.AllowsBind(interfaceName, version, global.Version)))
            throw new ClientProtocolException(registryId, DisplayError.InvalidObject,
                $"invalid global {interfaceName} ({name}) version {version}");
        return global;
    }

    /// <summary>The host's wl_registry.global: whether the client sees it, and at which version.</summary>
    public bool TryAnnounce(uint registryId, uint name, string interfaceName, uint compositorVersion, out uint offeredVersion)
    {
        offeredVersion = 0;
        if (!_registries.TryGetValue(registryId, out var advertised)
            || !policy.TryAdvertise(interfaceName, compositorVersion, out offeredVersion))
            return false;
        advertised[name] = new AdvertisedGlobal(WaylandProtocols.Find(interfaceName)!, offeredVersion, null);
        return true;
    }

    /// <summary>One of the proxy's own globals, announced on a registry next to the host global <paramref name="hostName"/> it is made on.</summary>
    public void AnnounceOwn(uint registryId, uint name, WaylandInterface @interface, uint version, uint hostName)
    {
        if (_registries.TryGetValue(registryId, out var advertised)) advertised[name] = new AdvertisedGlobal(@interface, version, hostName);
    }

    /// <summary>The host's wl_registry.global_remove: true when the client had been told of the global.</summary>
    public bool Withdraw(uint registryId, uint name) =>
        _registries.TryGetValue(registryId, out var advertised) && advertised.Remove(name);
}

/// <summary>
/// A global as the proxy announced it on one registry; for the proxy's own, the name of the host
/// global its objects are made on.
/// </summary>
internal readonly record struct AdvertisedGlobal(WaylandInterface Interface, uint Version, uint? OwnOnHostGlobal);

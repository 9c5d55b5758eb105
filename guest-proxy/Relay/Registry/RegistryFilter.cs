using CrossDomain.Wayland.Protocol;

namespace CrossDomain.GuestProxy.Relay.Registry;

/// <summary>
/// What each of one client's wl_registry objects was told: the globals the policy let through, at
/// the version offered. A bind must name one of those; a global_remove for one never announced is
/// not passed on.
/// </summary>
internal sealed class RegistryFilter(GlobalPolicy policy)
{
    private readonly Dictionary<uint, Dictionary<uint, AdvertisedGlobal>> _registries = [];

    /// <summary>wl_display.get_registry, once passed on.</summary>
    public void RegistryCreated(uint registryId) => _registries[registryId] = [];

    /// <summary>The host's delete_id for an object: if it was a registry, it has no globals any more.</summary>
    public void Deleted(uint id) => _registries.Remove(id);

    /// <summary>
    /// A client's wl_registry.bind: the interface the new object gets, or a protocol error when
    /// the global was not announced on this registry or not at this version.
    /// </summary>
    public WaylandInterface Bind(uint registryId, uint name, string interfaceName, uint version)
    {
        if (!_registries.TryGetValue(registryId, out var advertised) || !advertised.TryGetValue(name, out var global)
            || global.Interface != interfaceName || !policy.AllowsBind(interfaceName, version, global.Version))
            throw new ClientProtocolException(registryId, DisplayError.InvalidObject,
                $"invalid global {interfaceName} ({name}) version {version}");
        return WaylandProtocols.Find(interfaceName)!;
    }

    /// <summary>The host's wl_registry.global: whether the client sees it, and at which version.</summary>
    public bool TryAnnounce(uint registryId, uint name, string interfaceName, uint compositorVersion, out uint offeredVersion)
    {
        offeredVersion = 0;
        if (!_registries.TryGetValue(registryId, out var advertised)
            || !policy.TryAdvertise(interfaceName, compositorVersion, out offeredVersion))
            return false;
        advertised[name] = new AdvertisedGlobal(interfaceName, offeredVersion);
        return true;
    }

    /// <summary>The host's wl_registry.global_remove: true when the client had been told of the global.</summary>
    public bool Withdraw(uint registryId, uint name) =>
        _registries.TryGetValue(registryId, out var advertised) && advertised.Remove(name);

    /// <summary>A global as the proxy announced it on one registry.</summary>
    private readonly record struct AdvertisedGlobal(string Interface, uint Version);
}

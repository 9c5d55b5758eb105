using System.Collections.Frozen;
using CrossDomain.Wayland.Policy;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// Which compositor globals a guest client may see and bind, and up to which version. A global
/// is carried only if the proxy can parse every message of it (the protocol XML it was built
/// from knows the interface, at that version) and can translate whatever fds it carries; the
/// rest is hidden, so a client never binds something the bridge would break on.
/// </summary>
public sealed class GlobalPolicy
{
    /// <summary>The bridge's allowlist (<see cref="DefaultGlobals.AllowList"/>), which the host enforces too.</summary>
    public static IReadOnlyDictionary<string, uint> DefaultAllowList => DefaultGlobals.AllowList;

    /// <summary>
    /// Interfaces whose requests carry fds that have no cross-domain identifier in this proxy: a
    /// client that bound one would be cut off at its first such request, so they are never offered.
    /// </summary>
    public static IReadOnlySet<string> Uncarried { get; } = new HashSet<string>
    {
        "zwp_linux_dmabuf_v1",
        "zwp_linux_explicit_synchronization_v1",
        "wp_linux_drm_syncobj_manager_v1",
        "wp_security_context_manager_v1",
    };

    private readonly FrozenDictionary<string, uint> _caps;

    /// <param name="allowList">Interface name → highest version to offer; names the proxy's protocol model does not know are ignored.</param>
    public GlobalPolicy(IReadOnlyDictionary<string, uint>? allowList = null)
    {
        var caps = new Dictionary<string, uint>();
        foreach (var (name, cap) in allowList ?? DefaultAllowList)
        {
            if (cap == 0 || Uncarried.Contains(name) || WaylandProtocols.Find(name) is not { } known) continue;
            caps[name] = Math.Min(cap, (uint)known.Version);
        }
        _caps = caps.ToFrozenDictionary();
    }

    /// <summary>Reads <c>interface:version,interface:version,…</c>; false with the reason for text that is not that.</summary>
    public static bool TryParse(string text, out Dictionary<string, uint> allowList, out string? problem)
    {
        if (!DefaultGlobals.TryParse(text, out allowList, out problem)) return false;
        foreach (string name in allowList.Keys)
        {
            if (WaylandProtocols.Find(name) is null || Uncarried.Contains(name))
            {
                problem = $"'{name}' is not an interface the proxy can carry";
                return false;
            }
        }
        return true;
    }

    public static string Format(IReadOnlyDictionary<string, uint> allowList) => DefaultGlobals.Format(allowList);

    /// <summary>The interfaces that can be offered, with their caps.</summary>
    public IReadOnlyDictionary<string, uint> Caps => _caps;

    /// <summary>
    /// For a wl_registry.global from the compositor: whether to pass it on, and at which version
    /// (the lower of the compositor's and the cap).
    /// </summary>
    public bool TryAdvertise(string interfaceName, uint compositorVersion, out uint offeredVersion)
    {
        offeredVersion = 0;
        if (compositorVersion == 0 || !_caps.TryGetValue(interfaceName, out uint cap)) return false;
        offeredVersion = Math.Min(compositorVersion, cap);
        return true;
    }

    /// <summary>For a client's wl_registry.bind: allowed only for an offered interface, at 1..the version offered.</summary>
    public bool AllowsBind(string interfaceName, uint requestedVersion, uint offeredVersion) =>
        requestedVersion >= 1 && requestedVersion <= offeredVersion && _caps.ContainsKey(interfaceName);
}

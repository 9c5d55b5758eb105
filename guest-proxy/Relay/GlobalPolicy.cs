using System.Collections.Frozen;
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
    /// <summary>
    /// The globals the bridge carries, with the highest version it has been checked against.
    /// Left out on purpose: zwp_linux_dmabuf_v1 (needs a dmabuf path, decided per transport),
    /// zwp_linux_explicit_synchronization_v1 (sync-file fds have no cross-domain identifier),
    /// and compositor-private interfaces (weston_*).
    /// </summary>
    public static IReadOnlyDictionary<string, uint> DefaultAllowList { get; } = new Dictionary<string, uint>
    {
        ["wl_compositor"] = 5,
        ["wl_subcompositor"] = 1,
        ["wl_shm"] = 1,
        ["wl_seat"] = 7,
        ["wl_output"] = 4,
        ["wl_data_device_manager"] = 3,
        ["xdg_wm_base"] = 5,
        ["wp_viewporter"] = 1,
        ["wp_presentation"] = 1,
        ["zxdg_output_manager_v1"] = 3,
        ["zxdg_decoration_manager_v1"] = 1,
        ["zwp_primary_selection_device_manager_v1"] = 1,
        ["zwp_relative_pointer_manager_v1"] = 1,
        ["zwp_pointer_constraints_v1"] = 1,
        ["wp_fractional_scale_manager_v1"] = 1,
    };

    private readonly FrozenDictionary<string, uint> _caps;

    /// <param name="allowList">Interface name → highest version to offer; names the proxy's protocol model does not know are ignored.</param>
    public GlobalPolicy(IReadOnlyDictionary<string, uint>? allowList = null)
    {
        var caps = new Dictionary<string, uint>();
        foreach (var (name, cap) in allowList ?? DefaultAllowList)
        {
            if (cap == 0 || WaylandProtocols.Find(name) is not { } known) continue;
            caps[name] = Math.Min(cap, (uint)known.Version);
        }
        _caps = caps.ToFrozenDictionary();
    }

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

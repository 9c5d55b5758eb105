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
        allowList = [];
        problem = null;
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = item.IndexOf(':');
            if (colon <= 0 || !uint.TryParse(item.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint version) || version == 0)
            {
                problem = $"'{item}' is not interface:version (a version of at least 1)";
                return false;
            }
            string name = item[..colon];
            if (WaylandProtocols.Find(name) is null || Uncarried.Contains(name))
            {
                problem = $"'{name}' is not an interface the proxy can carry";
                return false;
            }
            allowList[name] = version;
        }
        if (allowList.Count == 0) problem = "the list is empty: no client could do anything";
        return problem is null;
    }

    public static string Format(IReadOnlyDictionary<string, uint> allowList) =>
        string.Join(',', allowList.Select(pair => $"{pair.Key}:{pair.Value}"));

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

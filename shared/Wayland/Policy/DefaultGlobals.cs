using System.Globalization;

namespace CrossDomain.Wayland.Policy;

/// <summary>
/// The compositor globals a guest may see, shared by the guest proxy (which hides the rest from its
/// clients) and the host (which enforces the same list against a guest that skips the proxy), with
/// the syntax both take it in: <c>interface:version,interface:version,…</c>.
/// </summary>
public static class DefaultGlobals
{
    /// <summary>
    /// The globals the bridge carries, with the highest version it has been checked against.
    /// Left out on purpose: zwp_linux_dmabuf_v1 (needs a dmabuf path, decided per transport),
    /// zwp_linux_explicit_synchronization_v1 (sync-file fds have no cross-domain identifier),
    /// and compositor-private interfaces (weston_*), which a VM must never reach.
    /// </summary>
    public static IReadOnlyDictionary<string, uint> AllowList { get; } = new Dictionary<string, uint>
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
    /// Reads <c>interface:version,…</c> (a version of at least 1, an interface name as the protocol
    /// XML spells them); false with the reason for text that is not that, or names nothing.
    /// </summary>
    public static bool TryParse(string text, out Dictionary<string, uint> allowList, out string? problem)
    {
        allowList = [];
        problem = null;
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = item.IndexOf(':');
            if (colon <= 0 || !uint.TryParse(item.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out uint version) || version == 0)
            {
                problem = $"'{item}' is not interface:version (a version of at least 1)";
                return false;
            }
            string name = item[..colon];
            if (!IsInterfaceName(name))
            {
                problem = $"'{name}' is not an interface name (lower-case letters, digits and '_')";
                return false;
            }
            allowList[name] = version;
        }
        if (allowList.Count == 0) problem = "the list is empty: no client could do anything";
        return problem is null;
    }

    public static string Format(IReadOnlyDictionary<string, uint> allowList) =>
        string.Join(',', allowList.Select(pair => $"{pair.Key}:{pair.Value}"));

    private static bool IsInterfaceName(string name) =>
        name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}

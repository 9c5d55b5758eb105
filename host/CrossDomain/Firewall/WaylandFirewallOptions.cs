using CrossDomain.Wayland.Policy;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The host's Wayland firewall for cross-domain contexts: which globals a guest may bind (deny by
/// default), and how its windows are marked as the VM's so that none can pose as a host window.
/// </summary>
public sealed class WaylandFirewallOptions
{
    public const string DefaultVmName = "guest";
    public const string DefaultTitleFormat = "[{vm}] {title}";
    public const string DefaultAppIdFormat = "{vm}.{app_id}";
    public const int DefaultMaxTrackedObjects = 100_000;

    /// <summary>Off only to measure the bridge without it: a guest then reaches every global of the compositor.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The VM's name in window titles, app ids and the firewall's log lines.</summary>
    public string VmName { get; init; } = DefaultVmName;

    /// <summary>Interface → highest version offered; every other global is hidden and refused.</summary>
    public IReadOnlyDictionary<string, uint> Globals { get; init; } = DefaultGlobals.AllowList;

    /// <summary>What xdg_toplevel.set_title becomes: <c>{vm}</c> and <c>{title}</c> are replaced.</summary>
    public string TitleFormat { get; init; } = DefaultTitleFormat;

    /// <summary>What xdg_toplevel.set_app_id becomes: <c>{vm}</c> and <c>{app_id}</c> are replaced.</summary>
    public string AppIdFormat { get; init; } = DefaultAppIdFormat;

    /// <summary>Registries and xdg-shell objects one context may have; a guest past it loses its connection.</summary>
    public int MaxTrackedObjects { get; init; } = DefaultMaxTrackedObjects;

    public void Validate()
    {
        if (string.IsNullOrEmpty(VmName) || VmName.Any(char.IsControl))
            throw new ArgumentException("The VM name must be non-empty text without control characters.", nameof(VmName));
        if (Globals.Count == 0 || Globals.Values.Any(cap => cap == 0))
            throw new ArgumentException("The globals allowlist must name at least one interface, each at version 1 or more.", nameof(Globals));
        if (MaxTrackedObjects < 1)
            throw new ArgumentException("At least one object must be trackable.", nameof(MaxTrackedObjects));
        ArgumentNullException.ThrowIfNull(TitleFormat);
        ArgumentNullException.ThrowIfNull(AppIdFormat);
    }
}

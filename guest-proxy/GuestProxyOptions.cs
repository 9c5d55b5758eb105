namespace CrossDomain.GuestProxy;

/// <summary>
/// The guest proxy's settings, bound from the <c>Proxy</c> config section once every layer (defaults,
/// config files, environment, command line) has been merged and each value checked.
/// </summary>
public sealed class GuestProxyOptions
{
    public const string SectionName = "Proxy";

    public GuestProxyTransport Transport { get; set; } = GuestProxyTransport.Kernel;

    /// <summary>The DRM render node of the virtio-gpu device; used by the kernel transport.</summary>
    public string Device { get; set; } = "";

    /// <summary>The host service's vhost-user socket; used by the local transport. Null when not needed and not set.</summary>
    public string? HostSocket { get; set; }

    /// <summary>The Wayland socket's name in $XDG_RUNTIME_DIR, what clients put in WAYLAND_DISPLAY.</summary>
    public string Socket { get; set; } = "";

    /// <summary>The registry allowlist: <c>interface:version</c> pairs, comma-separated (see <see cref="Relay.GlobalPolicy"/>).</summary>
    public string Globals { get; set; } = "";

    /// <summary>Log every relayed Wayland message, as WAYLAND_DEBUG=1 does.</summary>
    public bool Trace { get; set; }
}

using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.Device;
using CrossDomain.Wayland.Policy;

namespace CrossDomain.Host;

/// <summary>
/// The host service's settings, bound from the <c>Host</c> config section once every layer (defaults,
/// config files, environment, command line) has been merged and each value checked.
/// </summary>
public sealed class HostServiceOptions
{
    public const string SectionName = "Host";

    /// <summary>The vhost-user socket the back-end listens on; QEMU or crosvm connects to it.</summary>
    public string Socket { get; set; } = "";

    /// <summary>
    /// The host compositor cross-domain contexts connect to, read as WAYLAND_DISPLAY is: a socket name
    /// in $XDG_RUNTIME_DIR, or an absolute path.
    /// </summary>
    public string WaylandDisplay { get; set; } = "";

    public const string CrossDomainCapset = "cross-domain";
    public const string VirglCapset = "virgl";
    public const string Virgl2Capset = "virgl2";
    public const string GfxstreamVulkanCapset = "gfxstream-vulkan";
    public const string GfxstreamGlesCapset = "gfxstream-gles";

    /// <summary>Every context type the host knows; the 3D ones are offered only where their renderer loads.</summary>
    public static readonly string[] KnownCapsets =
        [CrossDomainCapset, VirglCapset, Virgl2Capset, GfxstreamVulkanCapset, GfxstreamGlesCapset];

    /// <summary>Comma-separated context types to offer.</summary>
    public string Capsets { get; set; } = string.Join(',', KnownCapsets);

    public int MaxContexts { get; set; } = 64;

    public int MaxResources { get; set; } = 16384;

    public int MaxHostMemoryMib { get; set; } = 1024;

    public int MaxHostFds { get; set; } = 4096;

    public int MaxPendingFences { get; set; } = 4096;

    /// <summary>Whether cross-domain Wayland streams pass the firewall (see <see cref="WaylandFirewallOptions"/>); off only for measurements.</summary>
    public bool WaylandFirewall { get; set; } = true;

    /// <summary>The VM this device serves, as window titles, app ids and the firewall's log name it.</summary>
    public string VmName { get; set; } = WaylandFirewallOptions.DefaultVmName;

    /// <summary>The globals a guest may bind: <c>interface:version</c> pairs, comma-separated, as the guest proxy's --globals.</summary>
    public string Globals { get; set; } = DefaultGlobals.Format(DefaultGlobals.AllowList);

    public string TitleFormat { get; set; } = WaylandFirewallOptions.DefaultTitleFormat;

    public string AppIdFormat { get; set; } = WaylandFirewallOptions.DefaultAppIdFormat;

    public int MaxTrackedObjects { get; set; } = WaylandFirewallOptions.DefaultMaxTrackedObjects;

    public int MaxSurfaces { get; set; } = WaylandFirewallOptions.DefaultMaxSurfaces;

    public int MaxShmPoolMib { get; set; } = WaylandFirewallOptions.DefaultMaxShmPoolMib;

    public int MaxBufferSize { get; set; } = WaylandFirewallOptions.DefaultMaxBufferSize;

    public int MaxSurfaceSize { get; set; } = WaylandFirewallOptions.DefaultMaxSurfaceSize;

    public int MaxRequestsPerSecond { get; set; } = WaylandFirewallOptions.DefaultMaxRequestsPerSecond;

    public int MaxRequestBurst { get; set; } = WaylandFirewallOptions.DefaultMaxRequestBurst;

    public int MaxMimeTypes { get; set; } = WaylandFirewallOptions.DefaultMaxMimeTypes;

    public int MaxMimeTypeLength { get; set; } = WaylandFirewallOptions.DefaultMaxMimeTypeLength;

    public int MaxTransferMib { get; set; } = WaylandFirewallOptions.DefaultMaxTransferMib;

    public bool Offers(string capset) =>
        Capsets.Split(',', StringSplitOptions.TrimEntries).Contains(capset, StringComparer.OrdinalIgnoreCase);

    /// <summary>The firewall's settings; the command line checked <see cref="Globals"/> already.</summary>
    public WaylandFirewallOptions ToFirewallOptions()
    {
        if (!DefaultGlobals.TryParse(Globals, out var allowList, out string? problem))
            throw new ArgumentException($"Globals: {problem}", nameof(Globals));
        return new WaylandFirewallOptions
        {
            Enabled = WaylandFirewall,
            VmName = VmName,
            Globals = allowList,
            TitleFormat = TitleFormat,
            AppIdFormat = AppIdFormat,
            MaxTrackedObjects = MaxTrackedObjects,
            MaxSurfaces = MaxSurfaces,
            MaxShmPoolMib = MaxShmPoolMib,
            MaxBufferSize = MaxBufferSize,
            MaxSurfaceSize = MaxSurfaceSize,
            MaxRequestsPerSecond = MaxRequestsPerSecond,
            MaxRequestBurst = MaxRequestBurst,
            MaxMimeTypes = MaxMimeTypes,
            MaxMimeTypeLength = MaxMimeTypeLength,
            MaxTransferMib = MaxTransferMib,
        };
    }

    public VirtioGpuDeviceOptions ToDeviceOptions() => new()
    {
        Limits = new DeviceLimits
        {
            MaxContexts = MaxContexts,
            MaxResources = MaxResources,
            MaxHostMemoryBytes = (long)MaxHostMemoryMib << 20,
            MaxHostFds = MaxHostFds,
            MaxPendingFences = MaxPendingFences,
        },
    };
}

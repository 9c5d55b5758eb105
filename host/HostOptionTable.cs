using CrossDomain.CommandLine;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Wayland.Policy;

namespace CrossDomain.Host;

/// <summary>The options of crossdomain-host, as DESIGN.md's "Command line" section promises them.</summary>
internal static class HostOptionTable
{
    public static OptionDefinition Socket { get; } = OptionDefinition.Setting(
        "socket", "PATH",
        "vhost-user socket to serve (the VMM connects to it)",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.Socket)}",
        OptionDefault.InRuntimeDirectory("crossdomain/gpu.sock"),
        OptionValueRule.UnixSocketPath);

    public static OptionDefinition WaylandDisplay { get; } = OptionDefinition.Setting(
        "wayland-display", "NAME|PATH",
        "host compositor that cross-domain contexts connect to: a socket name in $XDG_RUNTIME_DIR or an absolute path",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.WaylandDisplay)}",
        OptionDefault.FromVariable("WAYLAND_DISPLAY", "wayland-0"),
        OptionValueRule.WaylandDisplay);

    public static OptionDefinition Capsets { get; } = OptionDefinition.Setting(
        "capsets", "LIST",
        "context types the device offers, comma-separated; virgl and gfxstream ones only where their renderer library loads",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.Capsets)}",
        OptionDefault.Fixed(string.Join(',', HostServiceOptions.KnownCapsets)),
        OptionValueRule.ListOf(HostServiceOptions.KnownCapsets));

    public static OptionDefinition MaxContexts { get; } = Limit("max-contexts", "contexts one device (one VM) may create", nameof(HostServiceOptions.MaxContexts), 64, 1024);

    public static OptionDefinition MaxResources { get; } = Limit("max-resources", "resources one device may hold", nameof(HostServiceOptions.MaxResources), 16384, 1 << 20);

    public static OptionDefinition MaxHostMemoryMib { get; } = Limit("max-host-memory-mib", "host memory (MiB) one device's resources may use", nameof(HostServiceOptions.MaxHostMemoryMib), 1024, 1 << 20);

    public static OptionDefinition MaxHostFds { get; } = Limit("max-host-fds", "host fds one device may hold for its guest (blob memory, pipes, compositor fds)", nameof(HostServiceOptions.MaxHostFds), 4096, 1 << 20);

    public static OptionDefinition MaxPendingFences { get; } = Limit("max-pending-fences", "fenced commands one device may hold unanswered", nameof(HostServiceOptions.MaxPendingFences), 4096, 1 << 20);

    public static OptionDefinition WaylandFirewall { get; } = OptionDefinition.Setting(
        "wayland-firewall", "true|false",
        "judge each cross-domain context's Wayland stream on the host: only allowed globals, at capped versions, and window titles "
        + "and app ids that name the VM; false only to measure the bridge without it",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.WaylandFirewall)}",
        OptionDefault.Fixed("true"),
        OptionValueRule.OneOf("true", "false"));

    public static OptionDefinition VmName { get; } = OptionDefinition.Setting(
        "vm-name", "NAME",
        "the VM's name in its window titles and app ids and in the firewall's log lines",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.VmName)}",
        OptionDefault.Fixed(WaylandFirewallOptions.DefaultVmName),
        OptionValueRule.Custom(value => value.Length == 0 || value.Any(char.IsControl) ? "must be non-empty text without control characters" : null));

    public static OptionDefinition Globals { get; } = OptionDefinition.Setting(
        "globals", "LIST",
        "the compositor globals a guest may see and bind, each with the highest version offered: interface:version, "
        + "comma-separated; the firewall hides and refuses every other",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.Globals)}",
        OptionDefault.Fixed(DefaultGlobals.Format(DefaultGlobals.AllowList)),
        OptionValueRule.Custom(text => DefaultGlobals.TryParse(text, out _, out string? problem) ? null : problem));

    public static OptionDefinition TitleFormat { get; } = OptionDefinition.Setting(
        "title-format", "FORMAT",
        "what a guest window's title becomes: {vm} and {title} are replaced",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.TitleFormat)}",
        OptionDefault.Fixed(WaylandFirewallOptions.DefaultTitleFormat),
        OptionValueRule.Custom(value => value.Contains('\0') ? "must not contain a NUL character" : null));

    public static OptionDefinition AppIdFormat { get; } = OptionDefinition.Setting(
        "app-id-format", "FORMAT",
        "what a guest window's app id becomes: {vm} and {app_id} are replaced",
        $"{HostServiceOptions.SectionName}:{nameof(HostServiceOptions.AppIdFormat)}",
        OptionDefault.Fixed(WaylandFirewallOptions.DefaultAppIdFormat),
        OptionValueRule.Custom(value => value.Contains('\0') ? "must not contain a NUL character" : null));

    public static OptionDefinition MaxTrackedObjects { get; } = Limit("max-tracked-objects", "objects the firewall tracks for one cross-domain context (registries, surfaces, pools, clipboard sources, viewports, xdg-shell objects)", nameof(HostServiceOptions.MaxTrackedObjects), WaylandFirewallOptions.DefaultMaxTrackedObjects, 10_000_000);

    public static OptionDefinition MaxSurfaces { get; } = Limit("max-surfaces", "wl_surfaces one cross-domain context may have at once", nameof(HostServiceOptions.MaxSurfaces), WaylandFirewallOptions.DefaultMaxSurfaces, 1_000_000);

    public static OptionDefinition MaxShmPoolMib { get; } = Limit("max-shm-pool-mib", "MiB one wl_shm pool may span", nameof(HostServiceOptions.MaxShmPoolMib), WaylandFirewallOptions.DefaultMaxShmPoolMib, 2047);

    public static OptionDefinition MaxBufferSize { get; } = Limit("max-buffer-size", "pixels of a shm or dma-buf buffer's width, and of its height", nameof(HostServiceOptions.MaxBufferSize), WaylandFirewallOptions.DefaultMaxBufferSize, 1 << 20);

    public static OptionDefinition MaxSurfaceSize { get; } = Limit("max-surface-size", "pixels of width, and of height, that a window's minimum size or a viewport's destination may ask for", nameof(HostServiceOptions.MaxSurfaceSize), WaylandFirewallOptions.DefaultMaxSurfaceSize, 1 << 20);

    public static OptionDefinition MaxRequestsPerSecond { get; } = Limit("max-requests-per-second", "Wayland requests a second one cross-domain context may send, on average", nameof(HostServiceOptions.MaxRequestsPerSecond), WaylandFirewallOptions.DefaultMaxRequestsPerSecond, 100_000_000);

    public static OptionDefinition MaxRequestBurst { get; } = Limit("max-request-burst", "Wayland requests one cross-domain context may send at once, above that rate", nameof(HostServiceOptions.MaxRequestBurst), WaylandFirewallOptions.DefaultMaxRequestBurst, 100_000_000);

    public static OptionDefinition MaxMimeTypes { get; } = Limit("max-mime-types", "MIME types one clipboard or primary-selection source may offer", nameof(HostServiceOptions.MaxMimeTypes), WaylandFirewallOptions.DefaultMaxMimeTypes, 65536);

    public static OptionDefinition MaxMimeTypeLength { get; } = Limit("max-mime-type-length", "bytes of one offered MIME type", nameof(HostServiceOptions.MaxMimeTypeLength), WaylandFirewallOptions.DefaultMaxMimeTypeLength, 4096);

    public static OptionDefinition MaxTransferMib { get; } = Limit("max-transfer-mib", "MiB one clipboard or drag-and-drop transfer may carry, either way", nameof(HostServiceOptions.MaxTransferMib), WaylandFirewallOptions.DefaultMaxTransferMib, 1 << 20);

    public static OptionTable Table { get; } = new(HostServiceOptions.SectionName,
    [
        Socket,
        WaylandDisplay,
        Capsets,
        MaxContexts,
        MaxResources,
        MaxHostMemoryMib,
        MaxHostFds,
        MaxPendingFences,
        WaylandFirewall,
        VmName,
        Globals,
        TitleFormat,
        AppIdFormat,
        MaxTrackedObjects,
        MaxSurfaces,
        MaxShmPoolMib,
        MaxBufferSize,
        MaxSurfaceSize,
        MaxRequestsPerSecond,
        MaxRequestBurst,
        MaxMimeTypes,
        MaxMimeTypeLength,
        MaxTransferMib,
        StandardOptions.ConfigFile,
        StandardOptions.LogLevel,
        StandardOptions.Help,
        StandardOptions.Version,
    ]);

    // A guest past one of these limits gets VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, never more of the host.
    private static OptionDefinition Limit(string name, string what, string property, int defaultValue, long maximum) =>
        OptionDefinition.Setting(name, "N", $"at most this many: {what}",
            $"{HostServiceOptions.SectionName}:{property}", OptionDefault.Fixed(defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            OptionValueRule.PositiveInteger(maximum));

    public static CommandSyntax Serve { get; } = new(Table, name: null,
        "Serves one vhost-user-gpu device: the virtio-gpu back-end for a VM, whose cross-domain contexts "
        + "carry the guest's Wayland clients to the host compositor.",
        Table.Options);
}

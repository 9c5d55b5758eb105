using CrossDomain.CommandLine;

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

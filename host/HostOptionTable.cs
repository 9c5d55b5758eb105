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

    public static OptionTable Table { get; } = new(HostServiceOptions.SectionName,
    [
        Socket,
        WaylandDisplay,
        StandardOptions.ConfigFile,
        StandardOptions.LogLevel,
        StandardOptions.Help,
        StandardOptions.Version,
    ]);

    public static CommandSyntax Serve { get; } = new(Table, name: null,
        "Serves one vhost-user-gpu device: the virtio-gpu back-end for a VM, whose cross-domain contexts "
        + "carry the guest's Wayland clients to the host compositor.",
        Table.Options);
}

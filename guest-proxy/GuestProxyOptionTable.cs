using CrossDomain.CommandLine;
using CrossDomain.GuestProxy.Relay;

namespace CrossDomain.GuestProxy;

/// <summary>The options and commands of crossdomain-proxy, as DESIGN.md's "Command line" section promises them.</summary>
internal static class GuestProxyOptionTable
{
    public static OptionDefinition Transport { get; } = OptionDefinition.Setting(
        "transport", "kernel|local",
        "how to reach the virtio-gpu device: kernel (the virtio_gpu driver in a VM, through --device) or "
        + "local (no VM: the host service's vhost-user socket, --host-socket)",
        Key(nameof(GuestProxyOptions.Transport)),
        OptionDefault.Fixed(TransportName(GuestProxyTransport.Kernel)),
        OptionValueRule.OneOf(Enum.GetValues<GuestProxyTransport>().Select(TransportName).ToArray()));

    public static OptionDefinition Device { get; } = OptionDefinition.Setting(
        "device", "PATH",
        "DRM render node of the virtio-gpu device (kernel transport)",
        Key(nameof(GuestProxyOptions.Device)),
        OptionDefault.Fixed("/dev/dri/renderD128"),
        OptionValueRule.FilePath);

    public static OptionDefinition HostSocket { get; } = OptionDefinition.Setting(
        "host-socket", "PATH",
        "vhost-user socket of crossdomain-host (local transport and run)",
        Key(nameof(GuestProxyOptions.HostSocket)),
        OptionDefault.InRuntimeDirectory("crossdomain/gpu.sock"),
        OptionValueRule.UnixSocketPath);

    public static OptionDefinition Socket { get; } = OptionDefinition.Setting(
        "socket", "NAME",
        "name of the Wayland socket to listen on in $XDG_RUNTIME_DIR (what clients set WAYLAND_DISPLAY to)",
        Key(nameof(GuestProxyOptions.Socket)),
        OptionDefault.Fixed("wayland-0"),
        OptionValueRule.FileName);

    public static OptionDefinition Globals { get; } = OptionDefinition.Setting(
        "globals", "LIST",
        "the compositor globals clients may see, each with the highest version offered: interface:version, "
        + "comma-separated; interfaces the proxy cannot carry are never offered",
        Key(nameof(GuestProxyOptions.Globals)),
        OptionDefault.Fixed(GlobalPolicy.Format(GlobalPolicy.DefaultAllowList)),
        OptionValueRule.Custom(text => GlobalPolicy.TryParse(text, out _, out string? problem) ? null : problem));

    public static OptionDefinition Trace { get; } = OptionDefinition.Switch(
        "trace", "log every relayed Wayland message (client number, direction, then as WAYLAND_DEBUG=1 prints it)",
        Key(nameof(GuestProxyOptions.Trace)));

    public static OptionTable Table { get; } = new(GuestProxyOptions.SectionName,
    [
        Transport,
        Device,
        HostSocket,
        Socket,
        Globals,
        Trace,
        StandardOptions.ConfigFile,
        StandardOptions.LogLevel,
        StandardOptions.Help,
        StandardOptions.Version,
    ]);

    public static CommandSyntax Serve { get; } = new(Table, name: null,
        "The guest proxy: a Wayland compositor for the apps in this VM (or, with --transport local, on this "
        + "machine) that carries their messages, fds and buffers over a virtio-gpu cross-domain context to the "
        + "host compositor.",
        Table.Options);

    public static CommandSyntax Run { get; } = new(Table, "run",
        "Local mode for one app: a private proxy socket, APP started with WAYLAND_DISPLAY pointing at it; "
        + "exits with APP's exit code. Everything after -- is passed to APP unchanged.",
        [HostSocket, Globals, Trace, StandardOptions.ConfigFile, StandardOptions.LogLevel, StandardOptions.Help, StandardOptions.Version],
        trailingArgumentsName: "APP [ARGS...]");

    /// <summary>Lower case on the command line, as the design spells it; binding back to the enum ignores case.</summary>
    public static string TransportName(GuestProxyTransport transport) => transport.ToString().ToLowerInvariant();

    private static string Key(string property) => $"{GuestProxyOptions.SectionName}:{property}";
}

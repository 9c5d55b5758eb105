using CrossDomain.CommandLine;
using Microsoft.Extensions.Configuration;
using static CrossDomain.CommandLine.DisplayText;

namespace CrossDomain.GuestProxy;

/// <summary>Turns crossdomain-proxy's arguments, environment and config files into a <see cref="GuestProxyInvocation"/>.</summary>
public static class GuestProxyCommandLine
{
    public const string ProgramName = "crossdomain-proxy";

    private static readonly CommandSyntax[] Commands = [GuestProxyOptionTable.Serve, GuestProxyOptionTable.Run];

    /// <summary>Every long option, in the order --help lists them.</summary>
    public static IReadOnlyList<string> OptionNames { get; } =
        GuestProxyOptionTable.Table.Options.Select(option => option.LongForm).ToArray();

    /// <param name="environment">The process environment (tests pass their own).</param>
    /// <param name="executableDirectory">Where appsettings.json is looked for: beside the executable.</param>
    public static GuestProxyInvocation Parse(
        IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string executableDirectory) =>
        Parse(arguments, new EnvironmentSnapshot(environment), executableDirectory);

    internal static GuestProxyInvocation Parse(
        IReadOnlyList<string> arguments, EnvironmentSnapshot environment, string executableDirectory)
    {
        try
        {
            ParsedArguments parsed = CommandLineParser.Parse(ProgramName, Commands, arguments);
            if (parsed.HelpRequested)
                return new GuestProxyInvocation.ShowHelp(HelpText.Render(ProgramName, Commands, executableDirectory));
            if (parsed.VersionRequested)
                return new GuestProxyInvocation.ShowVersion(ProgramVersion.Describe(ProgramName, typeof(GuestProxyCommandLine).Assembly));

            ResolvedSettings settings = LayeredConfiguration.Build(parsed, environment, executableDirectory);
            // Property names are the keys. The binder's source generator intercepts this call (a call
            // inside a generic helper could not be), so the native build binds without reflection.
            GuestProxyOptions options = settings.Configuration.GetSection(GuestProxyOptions.SectionName).Get<GuestProxyOptions>() ?? new GuestProxyOptions();
            return parsed.Command == GuestProxyOptionTable.Run
                ? CheckRun(settings, options, parsed.TrailingArguments!)
                : CheckServe(settings, options);
        }
        catch (MisconfigurationException misconfiguration)
        {
            return new GuestProxyInvocation.Misconfigured(misconfiguration.Message);
        }
    }

    private static GuestProxyInvocation.Serve CheckServe(ResolvedSettings settings, GuestProxyOptions options)
    {
        switch (options.Transport)
        {
            case GuestProxyTransport.Kernel when options.Device.Length == 0:
                throw settings.NoValue(GuestProxyOptionTable.Device, "--transport kernel opens it");
            case GuestProxyTransport.Local when string.IsNullOrEmpty(options.HostSocket):
                throw settings.NoValue(GuestProxyOptionTable.HostSocket, "--transport local connects to it");
        }
        if (options.Socket.Length == 0)
            throw settings.NoValue(GuestProxyOptionTable.Socket);

        string? runtimeDirectory = RuntimeDirectory.Find(settings.Environment, out string? whyUnavailable);
        if (runtimeDirectory is null)
            throw new MisconfigurationException(
                $"the Wayland socket {Quote(options.Socket)} (--socket) goes in ${RuntimeDirectory.VariableName}, but {whyUnavailable}");
        string waylandSocketPath = Path.Join(runtimeDirectory, options.Socket);
        string? problem = OptionValueRule.UnixSocketPath.FindProblem(waylandSocketPath);
        if (problem is not null)
            throw new MisconfigurationException($"the Wayland socket path {Quote(waylandSocketPath)} (--socket) {problem}");
        return new GuestProxyInvocation.Serve(options, waylandSocketPath, settings.Configuration);
    }

    private static GuestProxyInvocation.RunApp CheckRun(
        ResolvedSettings settings, GuestProxyOptions options, IReadOnlyList<string> appAndArguments)
    {
        // run is local mode by definition: a transport from a config file does not apply to it.
        options.Transport = GuestProxyTransport.Local;
        if (string.IsNullOrEmpty(options.HostSocket))
            throw settings.NoValue(GuestProxyOptionTable.HostSocket, "run connects to it");
        return new GuestProxyInvocation.RunApp(options, appAndArguments[0], appAndArguments.Skip(1).ToArray(), settings.Configuration);
    }
}

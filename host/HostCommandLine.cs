using CrossDomain.CommandLine;
using Microsoft.Extensions.Configuration;

namespace CrossDomain.Host;

/// <summary>Turns crossdomain-host's arguments, environment and config files into a <see cref="HostInvocation"/>.</summary>
public static class HostCommandLine
{
    public const string ProgramName = "crossdomain-host";

    /// <summary>Every long option, in the order --help lists them.</summary>
    public static IReadOnlyList<string> OptionNames { get; } =
        HostOptionTable.Table.Options.Select(option => option.LongForm).ToArray();

    /// <param name="environment">The process environment (tests pass their own).</param>
    /// <param name="executableDirectory">Where appsettings.json is looked for: beside the executable.</param>
    public static HostInvocation Parse(
        IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string executableDirectory) =>
        Parse(arguments, new EnvironmentSnapshot(environment), executableDirectory);

    internal static HostInvocation Parse(
        IReadOnlyList<string> arguments, EnvironmentSnapshot environment, string executableDirectory)
    {
        try
        {
            ParsedArguments parsed = CommandLineParser.Parse(ProgramName, [HostOptionTable.Serve], arguments);
            if (parsed.HelpRequested)
                return new HostInvocation.ShowHelp(HelpText.Render(ProgramName, [HostOptionTable.Serve], executableDirectory));
            if (parsed.VersionRequested)
                return new HostInvocation.ShowVersion(ProgramVersion.Describe(ProgramName, typeof(HostCommandLine).Assembly));

            ResolvedSettings settings = LayeredConfiguration.Build(parsed, environment, executableDirectory);
            // Property names are the keys. The binder's source generator intercepts this call (a call
            // inside a generic helper could not be), so the native build binds without reflection.
            HostServiceOptions options = settings.Configuration.GetSection(HostServiceOptions.SectionName).Get<HostServiceOptions>() ?? new HostServiceOptions();
            if (options.Socket.Length == 0)
                throw settings.NoValue(HostOptionTable.Socket);
            if (options.WaylandDisplay.Length == 0)
                throw settings.NoValue(HostOptionTable.WaylandDisplay);
            return new HostInvocation.Serve(options, settings.Configuration);
        }
        catch (MisconfigurationException misconfiguration)
        {
            return new HostInvocation.Misconfigured(misconfiguration.Message);
        }
    }
}

using Microsoft.Extensions.Configuration;
using static CrossDomain.CommandLine.DisplayText;

namespace CrossDomain.CommandLine;

/// <summary>
/// Stacks the sources of settings for one invocation, lowest first: defaults, appsettings.json beside
/// the executable, the --config file, CROSSDOMAIN_* variables, the command line. Only the variables in
/// the option table are read (no blanket environment provider), so an unrelated variable can never
/// change a setting that --help does not mention.
/// </summary>
public static class LayeredConfiguration
{
    private const string BesideExecutableFileName = "appsettings.json";

    public static ResolvedSettings Build(ParsedArguments parsed, EnvironmentSnapshot environment, string executableDirectory)
    {
        CommandSyntax command = parsed.Command;
        var builder = new ConfigurationBuilder();
        builder.AddInMemoryCollection(Defaults(command, environment));

        string besideExecutable = BesideExecutablePath(executableDirectory);
        if (File.Exists(besideExecutable))
            builder.AddConfiguration(JsonSettingsFile.Load(besideExecutable, "beside the executable", command.Table));

        (string Path, string Origin)? configFile = FindConfigFile(parsed, environment);
        if (configFile is { } named)
            builder.AddConfiguration(JsonSettingsFile.Load(named.Path, named.Origin, command.Table));

        builder.AddInMemoryCollection(FromEnvironment(command, environment));
        builder.AddInMemoryCollection(FromCommandLine(parsed));
        return new ResolvedSettings(builder.Build(), environment);
    }

    /// <summary>Where the optional appsettings.json is read from; --help prints it.</summary>
    public static string BesideExecutablePath(string executableDirectory) =>
        Path.Join(executableDirectory, BesideExecutableFileName);

    private static Dictionary<string, string?> Defaults(CommandSyntax command, EnvironmentSnapshot environment)
    {
        var defaults = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (OptionDefinition option in command.Options)
        {
            // A default that cannot be computed (no XDG_RUNTIME_DIR) is left out rather than failing here:
            // the service fails only if it needs the value, and then says how to supply it.
            string? value = option.Default.Resolve(environment, out _);
            if (option.ConfigurationKey is not null && value is not null)
                defaults[option.ConfigurationKey] = value;
        }
        return defaults;
    }

    private static (string Path, string Origin)? FindConfigFile(ParsedArguments parsed, EnvironmentSnapshot environment)
    {
        OptionDefinition option = StandardOptions.ConfigFile;
        if (!parsed.Command.Accepts(option))
            return null;
        if (parsed.Values.TryGetValue(option, out string? fromCommandLine))
            return (Path.GetFullPath(fromCommandLine), $"from {option.LongForm}");
        string? fromEnvironment = environment.Find(option.EnvironmentVariable!);
        if (fromEnvironment is null)
            return null;
        string? problem = option.Rule?.FindProblem(fromEnvironment);
        if (problem is not null)
            throw InvalidEnvironmentValue(option, fromEnvironment, problem);
        return (Path.GetFullPath(fromEnvironment), $"from {option.EnvironmentVariable}");
    }

    private static Dictionary<string, string?> FromEnvironment(CommandSyntax command, EnvironmentSnapshot environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (OptionDefinition option in command.Options)
        {
            if (option.EnvironmentVariable is null || option.ConfigurationKey is null)
                continue;
            string? value = environment.Find(option.EnvironmentVariable);
            if (value is null)
                continue;
            string? problem = option.Rule?.FindProblem(value);
            if (problem is not null)
                throw InvalidEnvironmentValue(option, value, problem);
            values[option.ConfigurationKey] = value;
        }
        return values;
    }

    private static Dictionary<string, string?> FromCommandLine(ParsedArguments parsed)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((OptionDefinition option, string value) in parsed.Values)
        {
            if (option.ConfigurationKey is not null)
                values[option.ConfigurationKey] = value;
        }
        return values;
    }

    private static MisconfigurationException InvalidEnvironmentValue(OptionDefinition option, string value, string problem) =>
        new($"invalid value {Quote(value)} in {option.EnvironmentVariable}: {problem}");
}

using Microsoft.Extensions.Configuration;

namespace CrossDomain.CommandLine;

/// <summary>
/// The merged configuration of one invocation, every value in it already checked, plus what is needed
/// to explain a setting that ended up with no value at all.
/// </summary>
public sealed class ResolvedSettings(IConfigurationRoot configuration, EnvironmentSnapshot environment)
{
    public IConfigurationRoot Configuration { get; } = configuration;

    public EnvironmentSnapshot Environment { get; } = environment;

    /// <summary>
    /// The error for a required option nobody set whose default could not be computed, listing every
    /// way to set it, e.g. "no value for --socket: its default $XDG_RUNTIME_DIR/crossdomain/gpu.sock is
    /// unavailable because XDG_RUNTIME_DIR is not set; pass --socket PATH, set CROSSDOMAIN_SOCKET or
    /// Host:Socket in a config file".
    /// </summary>
    public MisconfigurationException NoValue(OptionDefinition option, string? whyNeeded = null)
    {
        option.Default.Resolve(Environment, out string? whyUnavailable);
        string need = whyNeeded is null ? "" : $" ({whyNeeded})";
        string reason = whyUnavailable is null
            ? ""
            : $": its default {option.Default.Description} is unavailable because {whyUnavailable}";
        var ways = new List<string> { $"pass {option.LongForm} {option.ValueName}" };
        if (option.EnvironmentVariable is not null)
            ways.Add($"set {option.EnvironmentVariable}");
        if (option.ConfigurationKey is not null)
            ways.Add($"set {option.ConfigurationKey} in a config file");
        return new MisconfigurationException(
            $"no value for {option.LongForm}{need}{reason}; {DisplayText.Enumerate(ways, "or")}");
    }
}

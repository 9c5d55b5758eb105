namespace CrossDomain.CommandLine;

/// <summary>
/// Where an option's value comes from when nobody set it. The same object writes the default into
/// --help and computes it at startup, so the help text cannot promise a default the code does not use.
/// </summary>
public sealed class OptionDefault
{
    private readonly Func<EnvironmentSnapshot, (string? Value, string? WhyUnavailable)> _resolve;

    private OptionDefault(string description, Func<EnvironmentSnapshot, (string?, string?)> resolve)
    {
        Description = description;
        _resolve = resolve;
    }

    /// <summary>The default as --help shows it, e.g. <c>$XDG_RUNTIME_DIR/crossdomain/gpu.sock</c>.</summary>
    public string Description { get; }

    public static OptionDefault None { get; } = new("none", _ => (null, null));

    public static OptionDefault Fixed(string value) => new(value, _ => (value, null));

    public static OptionDefault InRuntimeDirectory(string relativePath) => new(
        $"${RuntimeDirectory.VariableName}/{relativePath}",
        environment =>
        {
            string? directory = RuntimeDirectory.Find(environment, out string? whyUnavailable);
            return (directory is null ? null : Path.Join(directory, relativePath), whyUnavailable);
        });

    /// <summary>Another program's variable (e.g. <c>WAYLAND_DISPLAY</c>) when set, else a fixed value.</summary>
    public static OptionDefault FromVariable(string variableName, string fallback) => new(
        $"${variableName}, else {fallback}",
        environment => (environment.Find(variableName) ?? fallback, null));

    /// <summary>The default for this environment; null with the reason when it cannot be computed.</summary>
    public string? Resolve(EnvironmentSnapshot environment, out string? whyUnavailable)
    {
        (string? value, whyUnavailable) = _resolve(environment);
        return value;
    }
}

namespace CrossDomain.CommandLine;

/// <summary>
/// One row of an executable's option table: how the option is spelled on the command line, in the
/// environment and in a config file, its default and its rule. Parsing, configuration layering and
/// --help all read these rows, so none of them can know an option the others do not.
/// </summary>
public sealed class OptionDefinition
{
    /// <summary>The design's rule: every option's variable is CROSSDOMAIN_ and its name in upper snake case.</summary>
    private const string EnvironmentVariablePrefix = "CROSSDOMAIN_";

    private OptionDefinition(
        string name,
        string? valueName,
        string summary,
        bool hasEnvironmentVariable,
        string? configurationKey,
        OptionDefault defaultValue,
        OptionValueRule? rule)
    {
        Name = name;
        ValueName = valueName;
        Summary = summary;
        EnvironmentVariable = hasEnvironmentVariable
            ? EnvironmentVariablePrefix + name.Replace('-', '_').ToUpperInvariant()
            : null;
        ConfigurationKey = configurationKey;
        Default = defaultValue;
        Rule = rule;
    }

    /// <summary>The name without dashes, e.g. <c>host-socket</c>.</summary>
    public string Name { get; }

    public string LongForm => "--" + Name;

    /// <summary>The placeholder in help, e.g. <c>PATH</c>; null for a flag, which takes no value.</summary>
    public string? ValueName { get; }

    public bool TakesValue => ValueName is not null;

    public string Summary { get; }

    public string? EnvironmentVariable { get; }

    /// <summary>The key in configuration (and so the JSON path), e.g. <c>Proxy:HostSocket</c>.</summary>
    public string? ConfigurationKey { get; }

    public OptionDefault Default { get; }

    public OptionValueRule? Rule { get; }

    /// <summary>A service setting: command line, environment and config file all set it.</summary>
    public static OptionDefinition Setting(
        string name, string valueName, string summary, string configurationKey,
        OptionDefault defaultValue, OptionValueRule rule) =>
        new(name, valueName, summary, hasEnvironmentVariable: true, configurationKey, defaultValue, rule);

    /// <summary>
    /// A value read before configuration exists (the config file's own path), so it can come from the
    /// command line and the environment but not from a config file.
    /// </summary>
    public static OptionDefinition BeforeConfiguration(
        string name, string valueName, string summary, OptionValueRule rule) =>
        new(name, valueName, summary, hasEnvironmentVariable: true, configurationKey: null, OptionDefault.None, rule);

    /// <summary>
    /// An on/off setting: a bare <c>--name</c> on the command line turns it on; the environment and
    /// config files say <c>true</c> or <c>false</c>.
    /// </summary>
    public static OptionDefinition Switch(string name, string summary, string configurationKey) =>
        new(name, valueName: null, summary, hasEnvironmentVariable: true, configurationKey,
            OptionDefault.Fixed("false"), OptionValueRule.OneOf("true", "false"));

    /// <summary>Whether this is a <see cref="Switch"/>: no value on the command line, but a setting all the same.</summary>
    public bool IsSwitch => !TakesValue && ConfigurationKey is not null;

    /// <summary>An action for this invocation only (--help), which nothing but the command line can ask for.</summary>
    public static OptionDefinition Flag(string name, string summary) =>
        new(name, valueName: null, summary, hasEnvironmentVariable: false, configurationKey: null, OptionDefault.None, rule: null);

    public override string ToString() => LongForm;
}

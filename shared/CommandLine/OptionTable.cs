namespace CrossDomain.CommandLine;

/// <summary>
/// All the options one executable knows, across its commands, and the config section it owns. Any key
/// in that section that is not in the table is reported, because a misspelt key in a config file would
/// otherwise be silently ignored.
/// </summary>
public sealed class OptionTable
{
    public OptionTable(string ownedSection, IReadOnlyList<OptionDefinition> options)
    {
        RejectDuplicates(options, option => option.Name);
        RejectDuplicates(options, option => option.EnvironmentVariable);
        RejectDuplicates(options, option => option.ConfigurationKey);
        OwnedSection = ownedSection;
        Options = options;
    }

    /// <summary>The top-level JSON object holding this executable's settings, e.g. <c>Host</c>.</summary>
    public string OwnedSection { get; }

    /// <summary>In the order --help lists them.</summary>
    public IReadOnlyList<OptionDefinition> Options { get; }

    public OptionDefinition? FindByLongForm(string longForm) =>
        Options.FirstOrDefault(option => option.LongForm == longForm);

    /// <summary>Configuration keys ignore case (as Microsoft.Extensions.Configuration does).</summary>
    public bool IsKnownConfigurationKey(string key) =>
        Options.Any(option => string.Equals(option.ConfigurationKey, key, StringComparison.OrdinalIgnoreCase));

    private static void RejectDuplicates(IReadOnlyList<OptionDefinition> options, Func<OptionDefinition, string?> spelling)
    {
        string? duplicate = options.Select(spelling).OfType<string>()
            .GroupBy(name => name, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(group => group.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new InvalidOperationException($"The option table spells '{duplicate}' twice.");
    }
}

namespace CrossDomain.CommandLine;

/// <summary>What the command line said, before the environment and config files are consulted.</summary>
public sealed class ParsedArguments
{
    public ParsedArguments(
        CommandSyntax command, IReadOnlyDictionary<OptionDefinition, string> values,
        bool helpRequested, bool versionRequested, IReadOnlyList<string>? trailingArguments)
    {
        Command = command;
        Values = values;
        HelpRequested = helpRequested;
        VersionRequested = versionRequested;
        TrailingArguments = trailingArguments;
    }

    public CommandSyntax Command { get; }

    /// <summary>The last value given for each option (a later one overrides, so wrappers can append).</summary>
    public IReadOnlyDictionary<OptionDefinition, string> Values { get; }

    public bool HelpRequested { get; }

    public bool VersionRequested { get; }

    /// <summary>Everything after <c>--</c>, verbatim; null when there was no <c>--</c>.</summary>
    public IReadOnlyList<string>? TrailingArguments { get; }
}

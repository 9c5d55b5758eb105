namespace CrossDomain.CommandLine;

/// <summary>
/// One way to invoke an executable: the plain service, or a subcommand such as <c>run</c>. Each accepts
/// a subset of the executable's table and may take arguments after <c>--</c>.
/// </summary>
public sealed class CommandSyntax
{
    public CommandSyntax(
        OptionTable table, string? name, string summary, IReadOnlyList<OptionDefinition> options,
        string? trailingArgumentsName = null)
    {
        OptionDefinition? stranger = options.FirstOrDefault(option => !table.Options.Contains(option));
        if (stranger is not null)
            throw new InvalidOperationException($"The command accepts {stranger}, which is not in the option table.");
        Table = table;
        Name = name;
        Summary = summary;
        Options = options;
        TrailingArgumentsName = trailingArgumentsName;
    }

    public OptionTable Table { get; }

    /// <summary>The subcommand's word (<c>run</c>), or null for the executable's default command.</summary>
    public string? Name { get; }

    public string Summary { get; }

    public IReadOnlyList<OptionDefinition> Options { get; }

    /// <summary>
    /// What goes after <c>--</c>, e.g. <c>APP [ARGS...]</c>; its first word is required. Null when the
    /// command takes no arguments besides options.
    /// </summary>
    public string? TrailingArgumentsName { get; }

    public bool Accepts(OptionDefinition option) => Options.Contains(option);

    /// <summary>The command as it is typed, for the usage lines of --help.</summary>
    public string Describe(string programName) => Name is null ? programName : $"{programName} {Name}";
}

using System.Text;

namespace CrossDomain.CommandLine;

/// <summary>
/// Writes --help from the option table and the commands, which are what the parser reads too: an
/// option, variable, key or default can only appear here if the code really accepts it.
/// </summary>
public static class HelpText
{
    private const int Width = 80;
    private const string CommandIndent = "  ";
    private const string DetailIndent = "      ";

    public static string Render(string programName, IReadOnlyList<CommandSyntax> commands, string executableDirectory)
    {
        OptionTable table = commands[0].Table;
        var help = new StringBuilder();
        help.AppendLine("Usage:");
        foreach (CommandSyntax command in commands)
            AppendCommand(help, programName, command);

        help.AppendLine().AppendLine("Options:");
        foreach (OptionDefinition option in table.Options)
            AppendOption(help, option);

        help.AppendLine();
        AppendWrapped(help, "",
            "Each setting comes from the first of: the command line, the environment, the --config file, "
            + $"{LayeredConfiguration.BesideExecutablePath(executableDirectory)}, the default. "
            + "An empty environment variable counts as unset. If an option is given twice, the last one counts.");
        return help.ToString();
    }

    private static void AppendCommand(StringBuilder help, string programName, CommandSyntax command)
    {
        string trailing = command.TrailingArgumentsName is null
            ? ""
            : $" {CommandLineParser.EndOfOptions} {command.TrailingArgumentsName}";
        help.AppendLine($"{CommandIndent}{command.Describe(programName)} [OPTIONS]{trailing}");
        AppendWrapped(help, DetailIndent, command.Summary);
        if (command.Options.Count != command.Table.Options.Count)
        {
            string[] names = command.Options.Select(option => option.LongForm).ToArray();
            AppendWrapped(help, DetailIndent, $"Options: {DisplayText.Enumerate(names, "and")}.");
        }
    }

    private static void AppendOption(StringBuilder help, OptionDefinition option)
    {
        help.AppendLine($"{CommandIndent}{option.LongForm}{(option.TakesValue ? " " + option.ValueName : "")}");
        AppendWrapped(help, DetailIndent, option.Summary);
        if (!option.TakesValue && !option.IsSwitch)
            return;

        AppendDetail(help, "default", option.IsSwitch ? "off" : option.Default.Description);
        IReadOnlyList<string> acceptedValues = option.Rule?.AcceptedValues ?? [];
        if (acceptedValues.Count > 0 && option.TakesValue && option.ValueName != string.Join('|', acceptedValues))
            AppendDetail(help, "values", string.Join(", ", acceptedValues));
        AppendDetail(help, "environment", (option.EnvironmentVariable ?? "none") + (option.IsSwitch ? " (true or false)" : ""));
        AppendDetail(help, "config key", option.ConfigurationKey ?? "none (read before any config file)");
    }

    private static void AppendDetail(StringBuilder help, string label, string text) =>
        help.AppendLine($"{DetailIndent}{label,-12} {text}");

    /// <summary>Greedy word wrap; a word longer than the line (a deep path) is kept whole.</summary>
    private static void AppendWrapped(StringBuilder help, string indent, string text)
    {
        var line = new StringBuilder(indent);
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            bool lineHasWords = line.Length > indent.Length;
            if (lineHasWords && line.Length + 1 + word.Length > Width)
            {
                help.AppendLine(line.ToString());
                line.Clear().Append(indent);
                lineHasWords = false;
            }
            if (lineHasWords)
                line.Append(' ');
            line.Append(word);
        }
        if (line.Length > indent.Length)
            help.AppendLine(line.ToString());
    }
}

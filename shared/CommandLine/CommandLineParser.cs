using static CrossDomain.CommandLine.DisplayText;

namespace CrossDomain.CommandLine;

/// <summary>
/// Reads argv against a command's options: <c>--name VALUE</c>, <c>--name=VALUE</c>, flags, and
/// <c>--</c> before a subcommand's own arguments. A subcommand is the first argument or not at all, so
/// an option's value can never be mistaken for one. Parsing stops at the first mistake with one
/// message that names it; --help and --version win over anything after them.
/// </summary>
public static class CommandLineParser
{
    public const string EndOfOptions = "--";

    /// <param name="commands">
    /// The executable's commands; the one without a name applies unless the first argument names another.
    /// </param>
    public static ParsedArguments Parse(string programName, IReadOnlyList<CommandSyntax> commands, IReadOnlyList<string> arguments)
    {
        CommandSyntax? named = arguments.Count == 0 ? null : commands.FirstOrDefault(command => command.Name == arguments[0]);
        return named is null
            ? ParseCommand(programName, commands.Single(command => command.Name is null), arguments)
            : ParseCommand(programName, named, arguments.Skip(1).ToArray());
    }

    private static ParsedArguments ParseCommand(string programName, CommandSyntax command, IReadOnlyList<string> arguments)
    {
        var values = new Dictionary<OptionDefinition, string>();
        for (int index = 0; index < arguments.Count; index++)
        {
            string argument = arguments[index];
            if (argument == EndOfOptions)
            {
                string[] trailing = arguments.Skip(index + 1).ToArray();
                return Finish(programName, command, values, trailing);
            }
            if (!argument.StartsWith('-') || argument == "-")
                throw UnexpectedArgument(programName, command, argument);

            int equalsAt = argument.IndexOf('=', StringComparison.Ordinal);
            string spelling = equalsAt < 0 ? argument : argument[..equalsAt];
            string? inlineValue = equalsAt < 0 ? null : argument[(equalsAt + 1)..];
            OptionDefinition option = FindAccepted(programName, command, spelling);

            if (!option.TakesValue)
            {
                if (inlineValue is not null)
                    throw new MisconfigurationException($"option {spelling} takes no value");
                if (option.IsSwitch)
                {
                    values[option] = "true";
                    continue;
                }
                if (option == StandardOptions.Help || option == StandardOptions.Version)
                    return new ParsedArguments(command, values, option == StandardOptions.Help,
                        option == StandardOptions.Version, trailingArguments: null);
                throw new InvalidOperationException($"{spelling} is a flag the parser does not handle.");
            }

            string value = inlineValue ?? TakeSeparateValue(option, arguments, ref index);
            string? problem = option.Rule?.FindProblem(value);
            if (problem is not null)
                throw new MisconfigurationException($"invalid value {Quote(value)} for {spelling}: {problem}");
            values[option] = value;
        }
        return Finish(programName, command, values, trailing: null);
    }

    private static OptionDefinition FindAccepted(string programName, CommandSyntax command, string spelling)
    {
        OptionDefinition? option = command.Table.FindByLongForm(spelling);
        if (option is null)
            throw new MisconfigurationException($"unknown option {Quote(spelling)}");
        if (!command.Accepts(option))
            throw new MisconfigurationException($"option {spelling} does not apply to '{command.Name ?? programName}'");
        return option;
    }

    /// <summary>
    /// A following word that starts with "--" is taken as a forgotten value rather than swallowed as
    /// one: "--socket --log-level debug" is far more often a slip than a socket named "--log-level".
    /// Such a value can still be given as --socket=--odd-name.
    /// </summary>
    private static string TakeSeparateValue(OptionDefinition option, IReadOnlyList<string> arguments, ref int index)
    {
        if (index + 1 >= arguments.Count || arguments[index + 1].StartsWith(EndOfOptions, StringComparison.Ordinal))
            throw new MisconfigurationException($"option {option.LongForm} needs a value ({option.ValueName})");
        index++;
        return arguments[index];
    }

    private static ParsedArguments Finish(
        string programName, CommandSyntax command, Dictionary<OptionDefinition, string> values, string[]? trailing)
    {
        string commandText = command.Name ?? programName;
        if (command.TrailingArgumentsName is null)
        {
            if (trailing is { Length: > 0 })
                throw UnexpectedArgument(programName, command, trailing[0]);
        }
        else if (trailing is null)
        {
            throw new MisconfigurationException($"'{commandText}' needs '{EndOfOptions} {command.TrailingArgumentsName}'");
        }
        else if (trailing.Length == 0)
        {
            string required = command.TrailingArgumentsName.Split(' ')[0];
            throw new MisconfigurationException($"'{commandText}' needs {required} after '{EndOfOptions}'");
        }
        return new ParsedArguments(command, values, helpRequested: false, versionRequested: false, trailing);
    }

    private static MisconfigurationException UnexpectedArgument(string programName, CommandSyntax command, string argument) =>
        command.TrailingArgumentsName is null
            ? new MisconfigurationException($"unexpected argument {Quote(argument)}")
            : new MisconfigurationException(
                $"unexpected argument {Quote(argument)}: '{command.Name ?? programName}' takes "
                + $"{command.TrailingArgumentsName} after '{EndOfOptions}'");
}

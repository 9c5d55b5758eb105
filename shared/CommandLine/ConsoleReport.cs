namespace CrossDomain.CommandLine;

/// <summary>
/// The lines an executable prints about itself on stderr, prefixed with its name as Unix tools do, so a
/// line in a journal or a script's output says which program wrote it.
/// </summary>
public static class ConsoleReport
{
    public static int Misconfiguration(string programName, string problem)
    {
        Console.Error.WriteLine($"{programName}: {problem} (see --help)");
        return ExitCode.Misconfiguration;
    }

    /// <summary>
    /// For a feature whose command line exists before its implementation: saying so, and failing, is
    /// honest where pretending to serve would leave a client waiting on a socket nobody answers.
    /// </summary>
    public static int NotBuiltYet(string programName, string feature)
    {
        Console.Error.WriteLine($"{programName}: {feature} is not built yet");
        return ExitCode.Failure;
    }
}

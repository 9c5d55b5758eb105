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
}

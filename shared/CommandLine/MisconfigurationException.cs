namespace CrossDomain.CommandLine;

/// <summary>
/// A setting the user wrote that cannot be used: an unknown option, a missing or invalid value, an
/// unreadable config file. The message is one line that names the culprit, because it is all the user
/// sees (a shell, a journal line); no stack trace, and the process exits with
/// <see cref="ExitCode.Misconfiguration"/>.
/// </summary>
public sealed class MisconfigurationException(string problem) : Exception(problem);

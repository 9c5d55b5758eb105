namespace CrossDomain.CommandLine;

/// <summary>
/// Exit codes both executables share, so scripts and systemd units can tell a usage mistake (fix the
/// invocation, do not restart) from a service that failed.
/// </summary>
public static class ExitCode
{
    public const int Success = 0;
    public const int Failure = 1;
    /// <summary>The conventional code for a bad command line (as getopt-based tools use).</summary>
    public const int Misconfiguration = 2;
}

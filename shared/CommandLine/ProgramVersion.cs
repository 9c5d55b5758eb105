using System.Reflection;

namespace CrossDomain.CommandLine;

/// <summary>
/// What --version prints: the informational version, which the SDK stamps with the source revision,
/// so a bug report says exactly which build it came from.
/// </summary>
public static class ProgramVersion
{
    public static string Describe(string programName, Assembly assembly)
    {
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        return $"{programName} {version}";
    }
}

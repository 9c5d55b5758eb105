namespace CrossDomain.CommandLine;

/// <summary>
/// <c>$XDG_RUNTIME_DIR</c>, where both executables put their sockets by default. The XDG base directory
/// spec says it must be absolute and that a relative value is to be ignored; following it means a
/// typo there produces a clear error instead of a socket in whatever directory the service started in.
/// </summary>
public static class RuntimeDirectory
{
    public const string VariableName = "XDG_RUNTIME_DIR";

    public static string? Find(EnvironmentSnapshot environment, out string? whyUnavailable)
    {
        string? directory = environment.Find(VariableName);
        if (directory is null)
        {
            whyUnavailable = $"{VariableName} is not set";
            return null;
        }
        if (!Path.IsPathFullyQualified(directory))
        {
            whyUnavailable = $"{VariableName} {DisplayText.Quote(directory)} is not an absolute path";
            return null;
        }
        whyUnavailable = null;
        return directory;
    }
}

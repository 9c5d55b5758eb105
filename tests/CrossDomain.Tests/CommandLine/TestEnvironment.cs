namespace CrossDomain.Tests.CommandLine;

/// <summary>Environments handed to the parsers, so no test depends on the runner's own variables.</summary>
internal static class TestEnvironment
{
    public const string RuntimeDirectory = "/run/user/1000";

    /// <summary>What a desktop session has: a runtime directory, nothing of ours set.</summary>
    public static Dictionary<string, string> Session(params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = RuntimeDirectory };
        foreach ((string name, string value) in variables)
            environment[name] = value;
        return environment;
    }
}

using System.Collections;

namespace CrossDomain.CommandLine;

/// <summary>
/// The environment variables as they were at startup. Parsing reads this instead of the live process
/// environment so tests can hand in exactly the environment they mean, in parallel, without touching
/// the test runner's own.
/// </summary>
public sealed class EnvironmentSnapshot(IReadOnlyDictionary<string, string> variables)
{
    public static EnvironmentSnapshot OfProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        return new EnvironmentSnapshot(variables);
    }

    /// <summary>
    /// The variable's value, or null when it is unset or empty: an empty assignment
    /// (<c>Environment=CROSSDOMAIN_SOCKET=</c> in a unit drop-in) is how people clear a variable, so it
    /// must not count as a value.
    /// </summary>
    public string? Find(string name) =>
        variables.TryGetValue(name, out string? value) && value.Length > 0 ? value : null;
}

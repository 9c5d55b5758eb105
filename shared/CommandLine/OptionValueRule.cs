using System.Text;

namespace CrossDomain.CommandLine;

/// <summary>
/// What a value must look like. The same check runs on a value from the command line, the environment
/// or a config file, so a bad value is reported where it was written, not later as a failed bind.
/// </summary>
public sealed class OptionValueRule
{
    /// <summary>
    /// <c>sizeof(sockaddr_un.sun_path)</c> on Linux, which includes the terminating NUL: a longer path
    /// would make bind/connect fail at run time with a less helpful error.
    /// </summary>
    private const int SocketAddressPathCapacity = 108;

    private readonly Func<string, string?> _findProblem;

    private OptionValueRule(Func<string, string?> findProblem, IReadOnlyList<string>? acceptedValues = null)
    {
        _findProblem = findProblem;
        AcceptedValues = acceptedValues ?? [];
    }

    /// <summary>The complete set of values, for rules that have one; --help lists them.</summary>
    public IReadOnlyList<string> AcceptedValues { get; }

    /// <summary>Why the value is unusable, phrased to follow "invalid value 'x' for --opt: "; null if fine.</summary>
    public string? FindProblem(string value) => _findProblem(value);

    /// <summary>A rule of the caller's own: <paramref name="findProblem"/> returns why a value is unusable, or null.</summary>
    public static OptionValueRule Custom(Func<string, string?> findProblem) => new(findProblem);

    public static OptionValueRule FilePath { get; } = new(FindTextProblem);

    public static OptionValueRule UnixSocketPath { get; } = new(value =>
        FindTextProblem(value) ?? FindSocketPathLengthProblem(value));

    /// <summary>A name inside a directory the program chooses, so a slash would escape it.</summary>
    public static OptionValueRule FileName { get; } = new(value =>
        FindTextProblem(value)
        ?? (value.Contains('/') ? "must be a name, not a path" : null)
        ?? (value is "." or ".." ? "must be a name, not a directory" : null));

    /// <summary>Like the WAYLAND_DISPLAY variable: a socket name in $XDG_RUNTIME_DIR, or an absolute path.</summary>
    public static OptionValueRule WaylandDisplay { get; } = new(value =>
        FindTextProblem(value)
        ?? (Path.IsPathFullyQualified(value) ? FindSocketPathLengthProblem(value) : null));

    /// <summary>One of a fixed set, compared ignoring case as the configuration binder compares enums.</summary>
    public static OptionValueRule OneOf(params string[] acceptedValues) => new(
        value => acceptedValues.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? null
            : $"expected {DisplayText.Enumerate(acceptedValues, "or")}",
        acceptedValues);

    /// <summary>A whole number from 1 to <paramref name="maximum"/>.</summary>
    public static OptionValueRule PositiveInteger(long maximum) => new(value =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long number)
            && number >= 1 && number <= maximum
            ? null
            : $"expected a whole number from 1 to {maximum}");

    /// <summary>A comma-separated, non-empty selection from a fixed set, compared ignoring case.</summary>
    public static OptionValueRule ListOf(params string[] acceptedValues) => new(
        value =>
        {
            var items = value.Split(',', StringSplitOptions.TrimEntries);
            var unknown = items.FirstOrDefault(item => !acceptedValues.Contains(item, StringComparer.OrdinalIgnoreCase));
            return unknown is null ? null : $"'{unknown}' is not one of {DisplayText.Enumerate(acceptedValues, "or")}";
        },
        acceptedValues);

    private static string? FindTextProblem(string value) =>
        value.Length == 0 ? "must not be empty"
        : value.Contains('\0') ? "must not contain a NUL character"
        : null;

    private static string? FindSocketPathLengthProblem(string path)
    {
        int length = Encoding.UTF8.GetByteCount(path);
        int limit = SocketAddressPathCapacity - 1;
        return length > limit ? $"is {length} bytes long; a Unix socket path holds at most {limit}" : null;
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CrossDomain.Tests.Support;

/// <summary>A global as a compositor announces it in wl_registry.global.</summary>
public readonly record struct AnnouncedGlobal(uint Name, string Interface, uint Version);

/// <summary>Runs Debian's <c>wayland-info</c> (libwayland underneath) as the reference client.</summary>
public static partial class WaylandInfo
{
    public static IReadOnlyList<AnnouncedGlobal> ListGlobals(HeadlessWeston weston) => ListGlobals(weston.ApplyTo);

    /// <param name="applyTo">Sets the environment that names the display to list.</param>
    public static IReadOnlyList<AnnouncedGlobal> ListGlobals(Action<ProcessStartInfo> applyTo)
    {
        var start = new ProcessStartInfo("wayland-info") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        applyTo(start);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"wayland-info exited with {process.ExitCode}: {stderr.Result}");
        return ParseGlobals(output);
    }

    /// <summary>The globals in wayland-info's output (its "interface: ..." lines).</summary>
    public static IReadOnlyList<AnnouncedGlobal> ParseGlobals(string output)
    {
        return GlobalLine().Matches(output)
            .Select(m => new AnnouncedGlobal(uint.Parse(m.Groups["name"].Value), m.Groups["interface"].Value, uint.Parse(m.Groups["version"].Value)))
            .ToList();
    }

    // interface: 'wl_compositor',                              version:  4, name:  1
    [GeneratedRegex(@"^interface: '(?<interface>[^']+)',\s+version:\s+(?<version>\d+), name:\s+(?<name>\d+)", RegexOptions.Multiline)]
    private static partial Regex GlobalLine();
}

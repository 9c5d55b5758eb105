using System.Text.RegularExpressions;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>What deploy/vm/guest-apps.sh writes on a guest's serial console, read back.</summary>
public static partial class GuestConsole
{
    /// <summary>What an app in the guest printed (guest-apps.sh sends it as "NAME| " lines).</summary>
    public static string[] AppOutput(string serial, string name) =>
        serial.Split('\n').Where(line => line.StartsWith($"{name}| ", StringComparison.Ordinal)).Select(line => line[(name.Length + 2)..]).ToArray();

    /// <summary>The guest proxy's log lines between a report and the next one.</summary>
    public static string[] ProxyLinesAfter(string serial, string report) =>
        serial.Split('\n').SkipWhile(line => !line.StartsWith(GuestMachine.ReportPrefix + report, StringComparison.Ordinal)).Skip(1)
            .TakeWhile(line => !line.StartsWith(GuestMachine.ReportPrefix, StringComparison.Ordinal))
            .Where(line => line.StartsWith("proxy| ", StringComparison.Ordinal)).ToArray();

    /// <summary>The last value the guest reported for <paramref name="key"/>; fails, with the console, when it reported none.</summary>
    public static string Reported(IReadOnlyDictionary<string, string> report, string serial, string key)
    {
        Assert.True(report.TryGetValue(key, out string? value), $"the guest did not report {key}:\n{serial}");
        return value;
    }

    /// <summary>The QEMU command line and every report, into a test's output.</summary>
    public static void Describe(Xunit.Abstractions.ITestOutputHelper output, string commandLine, IReadOnlyDictionary<string, string> report)
    {
        output.WriteLine($"qemu-system-x86_64 {commandLine}");
        foreach (var (key, value) in report) output.WriteLine($"guest: {key} {value}");
    }

    /// <summary>The proxy's RelayLog.ClientClosed line among <paramref name="proxyLines"/>, if there is exactly one.</summary>
    public static Match? ClientClosedIn(IEnumerable<string> proxyLines) =>
        proxyLines.Select(line => ClientClosed().Match(line)).SingleOrDefault(match => match.Success);

    // RelayLog.ClientClosed.
    [GeneratedRegex(@"closed: .* (?<commits>\d+) shm commits, \d+ shm bytes copied; after each buffer's first copy, (?<damaged>\d+) bytes damaged and (?<copied>\d+) copied, (?<transferred>\d+) of them transferred")]
    private static partial Regex ClientClosed();
}

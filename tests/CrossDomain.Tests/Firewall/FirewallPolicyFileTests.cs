using CrossDomain.Tests.CommandLine;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Firewall;

/// <summary>The host's firewall limits as a policy file gives them, read by the real executable.</summary>
public sealed class FirewallPolicyFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_policy_file_with_a_misspelt_limit_exits_2_with_one_line_naming_it()
    {
        // "MaxSurface" for MaxSurfaces: read as given, the limit would silently stay at its default.
        string policy = _directory.WriteFile("vm-work.json", """{ "Host": { "VmName": "work", "MaxSurface": 64, "MaxTransferMib": 16 } }""");
        var result = await ExecutableProcess.RunAsync("crossdomain-host", new Dictionary<string, string>(),
            "--socket", "/tmp/crossdomain-test.sock", "--wayland-display", "/tmp/wayland-test", "--config", policy);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"crossdomain-host: unknown setting 'Host:MaxSurface' in config file '{policy}' (see --help)", Assert.Single(result.ErrorLines));
    }
}

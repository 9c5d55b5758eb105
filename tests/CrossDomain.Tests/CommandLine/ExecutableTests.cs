using CrossDomain.GuestProxy;
using CrossDomain.Host;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.CommandLine;

/// <summary>The built executables, run as processes: exit codes, stdout and stderr as scripts see them.</summary>
public sealed class ExecutableTests
{
    private const string HostAssembly = "crossdomain-host";
    private const string ProxyAssembly = "crossdomain-proxy";

    private static readonly Dictionary<string, string> NoSettings = new();

    public static TheoryData<string> Assemblies => new() { HostAssembly, ProxyAssembly };

    private static IReadOnlyList<string> OptionNamesOf(string assemblyName) =>
        assemblyName == HostAssembly ? HostCommandLine.OptionNames : GuestProxyCommandLine.OptionNames;

    [Theory]
    [MemberData(nameof(Assemblies))]
    public async Task Help_exits_0_and_names_every_option_in_the_table(string assemblyName)
    {
        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(assemblyName, NoSettings, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StandardError);
        foreach (string option in OptionNamesOf(assemblyName))
            Assert.Contains(option, result.StandardOutput, StringComparison.Ordinal);
        foreach (string variable in OptionNamesOf(assemblyName).Except(["--help", "--version"]))
            Assert.Contains("CROSSDOMAIN_" + variable[2..].Replace('-', '_').ToUpperInvariant(), result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void The_option_tables_hold_what_the_design_promises()
    {
        Assert.Equal(["--socket", "--wayland-display", "--capsets", "--max-contexts", "--max-resources", "--max-host-memory-mib",
            "--max-host-fds", "--max-pending-fences", "--wayland-firewall", "--vm-name", "--globals", "--title-format", "--app-id-format",
            "--max-tracked-objects", "--max-surfaces", "--max-shm-pool-mib", "--max-buffer-size", "--max-surface-size",
            "--max-requests-per-second", "--max-request-burst", "--max-mime-types", "--max-mime-type-length", "--max-transfer-mib", "--config", "--log-level", "--help", "--version"],
            HostCommandLine.OptionNames);
        Assert.Equal(["--transport", "--device", "--host-socket", "--socket", "--globals", "--trace", "--config", "--log-level", "--help", "--version"],
            GuestProxyCommandLine.OptionNames);
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public async Task Version_exits_0_with_one_line(string assemblyName)
    {
        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(assemblyName, NoSettings, "--version");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(assemblyName + " ", result.StandardOutput, StringComparison.Ordinal);
        Assert.Single(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public async Task Unknown_option_exits_2_with_one_line_on_stderr(string assemblyName)
    {
        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(assemblyName, NoSettings, "--foo");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"{assemblyName}: unknown option '--foo' (see --help)", Assert.Single(result.ErrorLines));
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task A_bad_globals_list_exits_2_with_one_line_naming_it()
    {
        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(HostAssembly, NoSettings,
            "--socket", "/tmp/crossdomain-test.sock", "--wayland-display", "/tmp/wayland-test", "--globals", "wl_compositor:5,xdg_wm_base");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("crossdomain-host: invalid value 'wl_compositor:5,xdg_wm_base' for --globals: 'xdg_wm_base' is not interface:version (a version of at least 1) (see --help)",
            Assert.Single(result.ErrorLines));
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task Run_without_app_exits_2_with_one_line_on_stderr()
    {
        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(ProxyAssembly, NoSettings, "run", "weston-terminal");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("crossdomain-proxy: unexpected argument 'weston-terminal': 'run' takes APP [ARGS...] after '--' (see --help)",
            Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData(ProxyAssembly, new string[0], "/dev/dri/renderD128")]
    [InlineData(ProxyAssembly, new[] { "run", "--", "true" }, "crossdomain/gpu.sock")]
    public async Task Valid_settings_are_logged_then_a_missing_device_is_one_line_naming_it(
        string assemblyName, string[] arguments, string missingDevice)
    {
        var session = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = Path.GetTempPath().TrimEnd('/') };

        ExecutableProcess.Result result = await ExecutableProcess.RunAsync(assemblyName, session, arguments);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("crossdomain-proxy: no cross-domain channel to the host compositor: ", error, StringComparison.Ordinal);
        Assert.Contains(missingDevice, error, StringComparison.Ordinal);
        string logLine = Assert.Single(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Settings: ", logLine, StringComparison.Ordinal);
    }
}

using System.Diagnostics;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// The units in deploy/systemd as systemd itself reads them. <c>systemd-analyze verify</c> (systemd
/// 252) exits 0 on a misspelt key, an unknown value or an unknown system-call group: it only warns
/// and ignores the line, which is exactly the typo that would silently drop a setting. So a unit
/// passes only when verify exits 0 <em>and</em> prints nothing.
/// </summary>
public sealed class SystemdUnitTests
{
    /// <summary>Where the units expect the installed executables; deploy/install.sh rewrites it for other prefixes.</summary>
    private const string InstalledBinaryDirectory = "/usr/local/bin/";

    private static readonly string UnitDirectory = Path.Join(AppContext.BaseDirectory, "deploy", "systemd");

    public static TheoryData<string> UnitFiles() => new(UnitFileNames());

    private static string[] UnitFileNames() =>
        Directory.EnumerateFiles(UnitDirectory).Where(IsUnitFile).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void The_deployment_has_the_host_template_and_the_socket_activated_proxy()
    {
        Assert.Equal(["crossdomain-host@.service", "crossdomain-proxy.service", "crossdomain-proxy.socket"], UnitFileNames());
    }

    [Theory]
    [MemberData(nameof(UnitFiles))]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_warning(string unitName)
    {
        var scratch = Directory.CreateTempSubdirectory("crossdomain-units-");
        try
        {
            (int exitCode, string output) = await RunVerifyAsync(scratch.FullName, unitName, (_, text) => text);

            Assert.True(exitCode == 0 && output.Length == 0,
                $"systemd-analyze verify --user {unitName} exited with {exitCode} and said:\n{output}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("crossdomain-proxy.service", "Type=notify", "Tpye=notify")]
    [InlineData("crossdomain-proxy.service", "Type=notify", "Type=notfy")]
    [InlineData("crossdomain-proxy.service", "SystemCallFilter=@system-service", "SystemCallFilter=@system-servic")]
    [InlineData("crossdomain-proxy.service", "/crossdomain-proxy --transport", "/crossdomain-prxy --transport")]
    [InlineData("crossdomain-host@.service", "[Service]", "[Servce]")]
    [InlineData("crossdomain-proxy.socket", "ListenStream=", "ListenStrem=")]
    public async Task A_typo_in_a_unit_is_caught(string unitName, string correct, string misspelt)
    {
        var scratch = Directory.CreateTempSubdirectory("crossdomain-units-");
        try
        {
            Assert.Contains(correct, await File.ReadAllTextAsync(Path.Join(UnitDirectory, unitName)), StringComparison.Ordinal);

            (int exitCode, string output) = await RunVerifyAsync(scratch.FullName, unitName,
                (name, text) => name == unitName ? text.Replace(correct, misspelt, StringComparison.Ordinal) : text);

            Assert.False(exitCode == 0 && output.Length == 0, $"verify passed {unitName} with '{misspelt}'");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The session's WAYLAND_DISPLAY must name the socket the proxy's socket unit listens on; read back
    /// through systemd's own environment.d generator, which is what the user manager runs at start.
    /// </summary>
    [Fact]
    public async Task Environment_d_gives_the_session_the_socket_the_proxy_listens_on()
    {
        string socketUnit = await File.ReadAllTextAsync(Path.Join(UnitDirectory, "crossdomain-proxy.socket"));
        string listen = Assert.Single(socketUnit.Split('\n'), line => line.StartsWith("ListenStream=", StringComparison.Ordinal));
        Assert.StartsWith("ListenStream=%t/", listen, StringComparison.Ordinal);
        string socketName = listen["ListenStream=%t/".Length..].Trim();

        var configuration = Directory.CreateTempSubdirectory("crossdomain-config-");
        try
        {
            string environmentD = Directory.CreateDirectory(Path.Join(configuration.FullName, "environment.d")).FullName;
            File.Copy(Path.Join(UnitDirectory, "environment.d", "50-crossdomain.conf"), Path.Join(environmentD, "50-crossdomain.conf"));
            var startInfo = new ProcessStartInfo(EnvironmentGenerator)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment = { ["XDG_CONFIG_HOME"] = configuration.FullName },
            };
            startInfo.Environment.Remove("WAYLAND_DISPLAY");
            using Process generator = StartTool(startInfo);
            Task<string> errors = generator.StandardError.ReadToEndAsync();
            string[] variables = (await generator.StandardOutput.ReadToEndAsync()).Split('\n');
            await generator.WaitForExitAsync();

            Assert.True(generator.ExitCode == 0 && (await errors).Length == 0, $"the generator failed: {await errors}");
            Assert.Contains($"WAYLAND_DISPLAY={socketName}", variables);
        }
        finally
        {
            configuration.Delete(recursive: true);
        }
    }

    private const string EnvironmentGenerator = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";

    private static bool IsUnitFile(string path) =>
        Path.GetExtension(path) is ".service" or ".socket" or ".target" or ".timer" or ".path";

    /// <summary>
    /// Verifies <paramref name="unitName"/> as the user manager would load it (<c>--user</c>: %t is
    /// $XDG_RUNTIME_DIR, the user search path), with every unit of deploy/systemd, each passed through
    /// <paramref name="edit"/>, first on the search path: verify also loads the units a unit refers to
    /// (the socket's service, the service's socket) and fails when one is missing.
    /// </summary>
    /// <remarks>
    /// verify insists that ExecStart's binary exists and is executable, so the installed path is pointed
    /// at the apphosts the build put beside this assembly: a misspelt executable name still fails. User
    /// mode needs a runtime directory; the private configuration directory keeps units the developer
    /// installed in ~/.config out of it. No generators (they would run programs of this machine's own
    /// setup) and no man-page lookups for Documentation= (not every system has man).
    /// </remarks>
    private static async Task<(int ExitCode, string Output)> RunVerifyAsync(string scratch, string unitName, Func<string, string, string> edit)
    {
        string units = Directory.CreateDirectory(Path.Join(scratch, "units")).FullName;
        foreach (string name in UnitFileNames())
        {
            string text = await File.ReadAllTextAsync(Path.Join(UnitDirectory, name));
            await File.WriteAllTextAsync(Path.Join(units, name),
                edit(name, text).Replace(InstalledBinaryDirectory, AppContext.BaseDirectory, StringComparison.Ordinal));
        }
        string runtime = Directory.CreateDirectory(Path.Join(scratch, "runtime"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        string configuration = Directory.CreateDirectory(Path.Join(scratch, "config")).FullName;
        var startInfo = new ProcessStartInfo("systemd-analyze")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { "verify", "--user", "--man=no", "--generators=no", Path.Join(units, unitName) },
            Environment =
            {
                ["XDG_RUNTIME_DIR"] = runtime,
                ["XDG_CONFIG_HOME"] = configuration,
                // The trailing colon appends the standard search path (for sockets.target and the like).
                ["SYSTEMD_UNIT_PATH"] = units + ":",
            },
        };
        using Process process = StartTool(startInfo);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output + await errors).Trim());
    }

    private static Process StartTool(ProcessStartInfo startInfo)
    {
        try
        {
            return Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {startInfo.FileName} (Debian package systemd; deploy/install-deps.sh installs it): {e.Message}", e);
        }
    }
}

using System.Diagnostics;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// <c>deploy/install.sh</c> installs the native binary by default and the dlls only when asked: its
/// plan (<c>--dry-run</c>) and, where the native binaries were published from this tree, a real
/// install into a <c>--destdir</c> tree that is then run through its link in PREFIX/bin.
/// </summary>
public sealed class InstallScriptTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("guest")]
    [InlineData("host")]
    public async Task By_default_it_publishes_the_native_binaries_and_installs_the_executable_alone(string role)
    {
        var (exitCode, output) = await RunAsync("--dry-run", role);

        Assert.Equal(0, exitCode);
        string[] lines = output.Split('\n');
        Assert.Contains(lines, line => line.StartsWith("dotnet publish ", StringComparison.Ordinal) && line.Contains("/CrossDomain.Native.slnf -c Release", StringComparison.Ordinal));
        Assert.DoesNotContain("PublishAot=false", output, StringComparison.Ordinal);
        string executable = role == "host" ? "crossdomain-host" : "crossdomain-proxy";
        Assert.Contains(lines, line => line.StartsWith("cp -R ", StringComparison.Ordinal)
            && line.Contains($"/artifacts/native/{executable} /usr/local/lib/crossdomain/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Framework_dependent_publishes_the_dlls_for_the_dotnet_runtime()
    {
        var (exitCode, output) = await RunAsync("--dry-run", "--framework-dependent", "guest");

        Assert.Equal(0, exitCode);
        Assert.Contains(output.Split('\n'), line => line.StartsWith("dotnet publish ", StringComparison.Ordinal)
            && line.Contains("/guest-proxy/CrossDomain.GuestProxy.csproj -c Release -p:PublishAot=false", StringComparison.Ordinal));
        Assert.DoesNotContain("CrossDomain.Native.slnf", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_destdir_install_holds_the_native_proxy_which_runs_through_its_link_and_reads_its_settings_beside_it()
    {
        Skip.IfNot(BuiltExecutable.UseNative, $"a real install is tested when {BuiltExecutable.NativeSwitch}=1 (tests/run.sh publishes the native binaries and sets it)");
        DirectoryInfo destination = Directory.CreateTempSubdirectory("crossdomain-install-");
        try
        {
            var (exitCode, output) = await RunAsync("--destdir", destination.FullName, "guest");
            Assert.True(exitCode == 0, $"install.sh exited with {exitCode}:\n{output}");

            string library = Path.Join(destination.FullName, "usr/local/lib/crossdomain");
            Assert.Equal(["appsettings.json", "crossdomain-proxy"], Directory.GetFiles(library).Select(Path.GetFileName).Order());
            Assert.Equal(await File.ReadAllBytesAsync(BuiltExecutable.Native("crossdomain-proxy").FileName),
                await File.ReadAllBytesAsync(Path.Join(library, "crossdomain-proxy")));

            string link = Path.Join(destination.FullName, "usr/local/bin/crossdomain-proxy");
            Assert.Equal("../lib/crossdomain/crossdomain-proxy", new FileInfo(link).LinkTarget);
            var help = await ExecutableProcess.RunAsync(new BuiltExecutable(link, [], IsNative: true), new Dictionary<string, string>(), "--help");
            Assert.Equal(0, help.ExitCode);
            // The settings file is looked for beside the executable the link leads to, not beside the link.
            Assert.Contains(Path.Join(library, "appsettings.json"), help.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            destination.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RunScriptTests.RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Join(RunScriptTests.RepositoryRoot, "deploy/install.sh"));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}

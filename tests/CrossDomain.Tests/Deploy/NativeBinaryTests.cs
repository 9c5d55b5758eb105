using System.Diagnostics;
using System.Text.RegularExpressions;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// The native crossdomain-host and crossdomain-proxy that `dotnet publish` makes (what run.sh and
/// deploy/install.sh run, and what the other tests start under tests/run.sh): they need only glibc,
/// and they answer as the framework-dependent build of the same tree does. Skipped unless
/// <see cref="BuiltExecutable.NativeSwitch"/> says they were published from this tree.
/// </summary>
public sealed partial class NativeBinaryTests
{
    private const string SkipReason = $"the native binaries are tested when {BuiltExecutable.NativeSwitch}=1 (tests/run.sh publishes them and sets it)";

    /// <summary>The C library's own objects: what every Debian system, and a guest with nothing but glibc, has.</summary>
    private static readonly HashSet<string> GlibcObjects =
        ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"];

    public static TheoryData<string> Executables => new() { "crossdomain-host", "crossdomain-proxy" };

    [SkippableTheory]
    [MemberData(nameof(Executables))]
    public async Task A_native_binary_loads_nothing_but_glibc_and_has_no_dlls_beside_it(string name)
    {
        Skip.IfNot(BuiltExecutable.UseNative, SkipReason);
        BuiltExecutable native = BuiltExecutable.Native(name);

        // ldd lists every shared object the loader would map, its dependencies' included; an apphost
        // (libstdc++, libgcc_s) or a runtime it linked (libcoreclr) would show up here.
        var ldd = await RunToolAsync("ldd", native.FileName);
        Assert.Equal(0, ldd.ExitCode);
        var loaded = ldd.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Path.GetFileName(line.Trim().Split(' ')[0])).ToHashSet();
        Assert.Contains("libc.so.6", loaded);
        Assert.Empty(loaded.Except(GlibcObjects));

        string directory = Path.GetDirectoryName(native.FileName)!;
        Assert.Empty(Directory.GetFiles(directory, "*.dll"));
        Assert.Empty(Directory.GetFiles(directory, "*.runtimeconfig.json"));
    }

    [SkippableTheory]
    [InlineData("crossdomain-host", "--version")]
    [InlineData("crossdomain-host", "--help")]
    [InlineData("crossdomain-proxy", "--version")]
    [InlineData("crossdomain-proxy", "--help")]
    public async Task Native_and_framework_dependent_builds_print_the_same(string name, string option)
    {
        Skip.IfNot(BuiltExecutable.UseNative, SkipReason);
        var environment = new Dictionary<string, string>();

        var native = await ExecutableProcess.RunAsync(BuiltExecutable.Native(name), environment, option);
        var frameworkDependent = await ExecutableProcess.RunAsync(ExecutableProcess.FrameworkDependent(name), environment, option);

        Assert.Equal(0, native.ExitCode);
        Assert.NotEmpty(native.StandardOutput);
        // --help names the folder appsettings.json is read from, which is each build's own (and so
        // wraps its paragraph elsewhere).
        Assert.Equal(WithoutFolder(frameworkDependent.StandardOutput, AppContext.BaseDirectory),
            WithoutFolder(native.StandardOutput, Path.GetDirectoryName(BuiltExecutable.Native(name).FileName)! + "/"));
        Assert.Equal(frameworkDependent.ExitCode, native.ExitCode);
        Assert.Equal(frameworkDependent.StandardError, native.StandardError);
    }

    /// <summary>
    /// A config file's settings reach the proxy's options class (bound by the configuration binder's
    /// generated code, no reflection) in the native build as in the other: its host socket is in the
    /// settings line, and that socket, which is not there, is the one-line error.
    /// </summary>
    [SkippableFact]
    public async Task A_config_file_binds_the_same_in_the_native_build()
    {
        Skip.IfNot(BuiltExecutable.UseNative, SkipReason);
        DirectoryInfo directory = Directory.CreateTempSubdirectory("crossdomain-native-");
        try
        {
            string hostSocket = Path.Join(directory.FullName, "absent-gpu.sock");
            string config = Path.Join(directory.FullName, "settings.json");
            await File.WriteAllTextAsync(config, $$"""{ "Proxy": { "HostSocket": "{{hostSocket}}" } }""");
            var environment = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = directory.FullName };
            string[] arguments = ["run", "--config", config, "--", "true"];

            var native = await ExecutableProcess.RunAsync(BuiltExecutable.Native("crossdomain-proxy"), environment, arguments);
            var frameworkDependent = await ExecutableProcess.RunAsync(ExecutableProcess.FrameworkDependent("crossdomain-proxy"), environment, arguments);

            Assert.Equal(1, native.ExitCode);
            Assert.Contains(hostSocket, Assert.Single(native.ErrorLines), StringComparison.Ordinal);
            Assert.Contains($"host socket {hostSocket}, ", native.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(frameworkDependent.ExitCode, native.ExitCode);
            Assert.Equal(frameworkDependent.StandardError, native.StandardError);
            Assert.Equal(frameworkDependent.StandardOutput, native.StandardOutput);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string WithoutFolder(string text, string folder) =>
        Whitespace().Replace(text.Replace(folder, "FOLDER/", StringComparison.Ordinal), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

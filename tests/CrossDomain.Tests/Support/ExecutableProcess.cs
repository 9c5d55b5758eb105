using System.Diagnostics;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Runs one of the built executables as a real process. The test project references both executable
/// projects, so their dlls (and runtimeconfig files) sit beside the test assembly.
/// </summary>
public static class ExecutableProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<Result> RunAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using Process process = Start(assemblyName, environment, arguments);
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assemblyName} {string.Join(' ', arguments)} did not exit within {Patience}.");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the executable with only the given settings in its environment; the caller reads its output.</summary>
    public static Process Start(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        string dll = Path.Join(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: is the executable project still referenced by the tests?");

        // `dotnet test` names the dotnet it runs under; fall back to PATH when run by another runner.
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);
        // Only this test's settings: none of the runner's CROSSDOMAIN_* or XDG_RUNTIME_DIR may leak in.
        foreach (string name in startInfo.Environment.Keys.Where(IsSetting).ToArray())
            startInfo.Environment.Remove(name);
        foreach ((string name, string value) in environment)
            startInfo.Environment[name] = value;
        return Process.Start(startInfo)!;
    }

    private static bool IsSetting(string name) =>
        name.StartsWith("CROSSDOMAIN_", StringComparison.Ordinal)
        || name is "XDG_RUNTIME_DIR" or "WAYLAND_DISPLAY";
}

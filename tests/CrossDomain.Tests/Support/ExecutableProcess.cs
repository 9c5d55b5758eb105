using System.Diagnostics;

namespace CrossDomain.Tests.Support;

/// <summary>
/// Runs one of the built executables as a real process: the native binary or the framework-dependent
/// dll, as <see cref="BuiltExecutable"/> picks.
/// </summary>
public static class ExecutableProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Task<Result> RunAsync(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunAsync(Find(assemblyName), environment, arguments);

    public static async Task<Result> RunAsync(BuiltExecutable executable, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using Process process = Start(executable, environment, arguments);
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
            throw new TimeoutException($"{string.Join(' ', [executable.FileName, .. executable.LeadingArguments, .. arguments])} did not exit within {Patience}.");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the executable with only the given settings in its environment; the caller reads its output.</summary>
    public static Process Start(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(Find(assemblyName), environment, arguments);

    public static Process Start(BuiltExecutable executable, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(executable.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in executable.LeadingArguments)
            startInfo.ArgumentList.Add(argument);
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);
        // Only this test's settings: none of the runner's CROSSDOMAIN_* or XDG_RUNTIME_DIR may leak in.
        foreach (string name in startInfo.Environment.Keys.Where(IsSetting).ToArray())
            startInfo.Environment.Remove(name);
        foreach ((string name, string value) in environment)
            startInfo.Environment[name] = value;
        return Process.Start(startInfo)!;
    }

    /// <summary>The framework-dependent build under the dotnet that `dotnet test` names, else dotnet on PATH.</summary>
    public static BuiltExecutable FrameworkDependent(string assemblyName) =>
        BuiltExecutable.FrameworkDependent(assemblyName, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");

    private static BuiltExecutable Find(string assemblyName) =>
        BuiltExecutable.UseNative ? BuiltExecutable.Native(assemblyName) : FrameworkDependent(assemblyName);

    private static bool IsSetting(string name) =>
        name.StartsWith("CROSSDOMAIN_", StringComparison.Ordinal)
        || name is "XDG_RUNTIME_DIR" or "WAYLAND_DISPLAY";
}

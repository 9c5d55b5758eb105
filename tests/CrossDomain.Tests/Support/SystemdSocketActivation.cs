using System.Diagnostics;
using System.Text;

namespace CrossDomain.Tests.Support;

/// <summary>
/// A command started under <c>systemd-socket-activate --listen=PATH</c>, the way a <c>.socket</c> unit
/// starts its service: the tool binds PATH, waits for the first connection, then execs the command
/// in its own process with the listening socket as fd 3 and <c>LISTEN_FDS</c>, <c>LISTEN_PID</c>
/// (and <c>LISTEN_FDNAMES</c> when a name is given) set.
/// </summary>
/// <remarks>
/// Facts of systemd 252's tool that this relies on: without <c>--accept</c> the command runs only
/// once a client connects, and replaces the tool in the same process (so <see cref="Process"/> is
/// the command's process); the tool prints <c>Listening on PATH as 3.</c> on stderr once bound; the
/// command gets only TERM, PATH, USER and HOME from the tool's environment plus each <c>-E</c>
/// variable, so everything it needs must be in <c>environment</c>; the socket file is left behind
/// when the command exits, so it is removed on dispose.
/// </remarks>
public sealed class SystemdSocketActivation : IDisposable
{
    public const string Tool = "systemd-socket-activate";

    private static readonly TimeSpan BindPatience = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SystemdSocketActivation(string socketPath, Process process)
    {
        SocketPath = socketPath;
        Process = process;
    }

    /// <summary>The tool until the first connection, then the command itself (same process).</summary>
    public Process Process { get; }

    public string SocketPath { get; }

    public string StandardOutput { get { lock (_output) return _output.ToString(); } }

    /// <summary>The tool's own messages followed by the command's stderr.</summary>
    public string StandardError { get { lock (_errors) return _errors.ToString(); } }

    /// <summary>
    /// Starts <paramref name="command"/> under the tool and returns once <paramref name="socketPath"/>
    /// is bound (the command itself has not run yet). <paramref name="fdName"/> becomes LISTEN_FDNAMES.
    /// </summary>
    public static async Task<SystemdSocketActivation> StartAsync(
        string socketPath, IReadOnlyDictionary<string, string> environment, string command, IEnumerable<string> arguments, string? fdName = null)
    {
        var startInfo = new ProcessStartInfo(Tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add($"--listen={socketPath}");
        if (fdName is not null)
            startInfo.ArgumentList.Add($"--fdname={fdName}");
        foreach ((string name, string value) in environment)
            startInfo.ArgumentList.Add($"--setenv={name}={value}");
        startInfo.ArgumentList.Add(command);
        foreach (string argument in arguments)
            startInfo.ArgumentList.Add(argument);

        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var activation = new SystemdSocketActivation(socketPath, process);
        process.OutputDataReceived += (_, line) => activation.Append(activation._output, line.Data);
        process.ErrorDataReceived += (_, line) =>
        {
            activation.Append(activation._errors, line.Data);
            if (line.Data is not null && line.Data.StartsWith($"Listening on {socketPath} ", StringComparison.Ordinal))
                activation._bound.TrySetResult();
        };
        process.Exited += (_, _) => activation._bound.TrySetException(
            new InvalidOperationException($"{Tool} exited with {process.ExitCode} before binding {socketPath}: {activation.StandardError}"));
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"cannot run {Tool} (Debian package systemd; deploy/install-deps.sh installs it): {e.Message}", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await activation._bound.Task.WaitAsync(BindPatience);
        }
        catch
        {
            activation.Dispose();
            throw;
        }
        return activation;
    }

    /// <summary>One of the built executables (as <see cref="ExecutableProcess"/> runs them) under the tool.</summary>
    public static Task<SystemdSocketActivation> StartExecutableAsync(
        string socketPath, string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        // Absolute, because the command is looked up in the PATH the tool was given, not ours.
        var executable = BuiltExecutable.Find(assemblyName, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? FindOnPath("dotnet"));
        return StartAsync(socketPath, environment, executable.FileName, [.. executable.LeadingArguments, .. arguments]);
    }

    /// <summary>Waits for the command to exit; the collected output is complete afterwards.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the command under {Tool} did not exit within {patience}: {StandardError}");
        }
        return Process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started: nothing to stop.
        }
        Process.Dispose();
        File.Delete(SocketPath);
    }

    private void Append(StringBuilder text, string? line)
    {
        if (line is null) return;
        lock (text) text.Append(line).Append('\n');
    }

    private static string FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Join(directory, name))
            .FirstOrDefault(File.Exists) ?? name;
}

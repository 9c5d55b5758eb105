using System.Diagnostics;
using CrossDomain.Interop;

namespace CrossDomain.Tests.Support;

/// <summary>
/// A real weston on the headless backend, private to one test: its own XDG_RUNTIME_DIR (mode 0700)
/// and socket name, pixman rendering so screenshots show real pixels, stopped in every outcome.
/// </summary>
public sealed class HeadlessWeston : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;

    private HeadlessWeston(Process process, string runtimeDirectory, string socketName)
    {
        _process = process;
        RuntimeDirectory = runtimeDirectory;
        SocketName = socketName;
    }

    public string RuntimeDirectory { get; }

    public string SocketName { get; }

    public string SocketPath => Path.Combine(RuntimeDirectory, SocketName);

    public string LogPath => Path.Combine(RuntimeDirectory, "weston.log");

    public static bool IsInstalled => ExecutableOnPath("weston") is not null;

    public static HeadlessWeston Start(int width = 640, int height = 480, bool debug = false)
    {
        string executable = ExecutableOnPath("weston")
            ?? throw new InvalidOperationException("weston is not installed: run deploy/install-deps.sh");
        var runtimeDirectory = Directory.CreateTempSubdirectory("crossdomain-weston-");
        File.SetUnixFileMode(runtimeDirectory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const string socketName = "wayland-test";
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--backend=headless-backend.so", "--use-pixman", $"--width={width}", $"--height={height}",
                $"--socket={socketName}", "--idle-time=0", $"--log={Path.Combine(runtimeDirectory.FullName, "weston.log")}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (debug) start.ArgumentList.Add("--debug");
        start.Environment["XDG_RUNTIME_DIR"] = runtimeDirectory.FullName;
        start.Environment.Remove("WAYLAND_DISPLAY");
        start.Environment.Remove("DISPLAY");

        var process = Process.Start(start) ?? throw new InvalidOperationException("weston did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var weston = new HeadlessWeston(process, runtimeDirectory.FullName, socketName);
        try
        {
            weston.WaitUntilAcceptingClients();
            return weston;
        }
        catch
        {
            weston.Dispose();
            throw;
        }
    }

    /// <summary>The environment a Wayland client needs to reach this compositor.</summary>
    public void ApplyTo(ProcessStartInfo start)
    {
        start.Environment["XDG_RUNTIME_DIR"] = RuntimeDirectory;
        start.Environment["WAYLAND_DISPLAY"] = SocketName;
        start.Environment.Remove("DISPLAY");
    }

    public UnixSocket Connect() => UnixSocket.Connect(SocketPath);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM lets weston stop its own children (the desktop-shell client) and reap them.
                Tmds.Linux.LibC.kill(_process.Id, Tmds.Linux.LibC.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(RuntimeDirectory, recursive: true);
        }
    }

    private void WaitUntilAcceptingClients()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"weston exited with {_process.ExitCode}: {ReadLog()}");
            if (File.Exists(SocketPath))
            {
                try
                {
                    using var probe = Connect();
                    return;
                }
                catch (System.ComponentModel.Win32Exception)
                {
                    // Bound but not yet listening; try again.
                }
            }
            Thread.Sleep(20);
        }
        throw new TimeoutException($"weston did not accept clients within {StartTimeout}: {ReadLog()}");
    }

    private string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";

    internal static string? ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}

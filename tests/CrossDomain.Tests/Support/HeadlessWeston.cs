using System.Diagnostics;
using CrossDomain.Interop;

namespace CrossDomain.Tests.Support;

/// <summary>
/// A real weston on the headless backend, private to one test: its own XDG_RUNTIME_DIR (mode 0700)
/// and socket name, pixman rendering so screenshots show real pixels, stopped in every outcome.
/// <see cref="StartWithSeat"/> runs it on the x11 backend in a private Xvfb instead, for tests that
/// need a wl_seat (the headless backend has none); no real display is involved either way.
/// </summary>
public sealed class HeadlessWeston : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ProcessStartInfo _start;
    private readonly XvfbDisplay? _xvfb;
    private Process _process;

    private HeadlessWeston(ProcessStartInfo start, string runtimeDirectory, string socketName, XvfbDisplay? xvfb)
    {
        _start = start;
        _process = Run(start);
        RuntimeDirectory = runtimeDirectory;
        SocketName = socketName;
        _xvfb = xvfb;
    }

    public string RuntimeDirectory { get; }

    public string SocketName { get; }

    public string SocketPath => Path.Combine(RuntimeDirectory, SocketName);

    public string LogPath => Path.Combine(RuntimeDirectory, "weston.log");

    /// <summary>The X display weston's x11 backend draws on (for xdotool); null on the headless backend.</summary>
    public string? XDisplay => _xvfb?.Display;

    public static bool IsInstalled => ExecutableOnPath("weston") is not null;

    /// <summary>Whether <see cref="StartWithSeat"/> can run here: weston and Xvfb (packages weston, xvfb).</summary>
    public static bool CanStartWithSeat => IsInstalled && XvfbDisplay.IsInstalled;

    /// <param name="debug">Adds --debug, which screenshots need: only then may a client use weston_screenshooter.</param>
    public static HeadlessWeston Start(int width = 640, int height = 480, bool debug = false) =>
        Launch("headless-backend.so", width, height, debug, xvfb: null);

    /// <summary>weston on its x11 backend inside a private Xvfb: a compositor with a wl_seat (keyboard, keymap, pointer).</summary>
    /// <param name="debug">Adds --debug, for screenshots.</param>
    public static HeadlessWeston StartWithSeat(int width = 640, int height = 480, bool debug = false)
    {
        var xvfb = XvfbDisplay.Start(width, height);
        try
        {
            return Launch("x11-backend.so", width, height, debug, xvfb);
        }
        catch
        {
            xvfb.Dispose();
            throw;
        }
    }

    private static HeadlessWeston Launch(string backend, int width, int height, bool debug, XvfbDisplay? xvfb)
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
                $"--backend={backend}", "--use-pixman", $"--width={width}", $"--height={height}",
                $"--socket={socketName}", "--idle-time=0", $"--log={Path.Combine(runtimeDirectory.FullName, "weston.log")}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (debug) start.ArgumentList.Add("--debug");
        start.Environment["XDG_RUNTIME_DIR"] = runtimeDirectory.FullName;
        start.Environment.Remove("WAYLAND_DISPLAY");
        if (xvfb is null) start.Environment.Remove("DISPLAY");
        else start.Environment["DISPLAY"] = xvfb.Display;

        var weston = new HeadlessWeston(start, runtimeDirectory.FullName, socketName, xvfb);
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

    private static Process Run(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("weston did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>weston dies (SIGKILL, its shell with it), then starts again on the same socket, as after a crash.</summary>
    public void CrashAndRestart()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = Run(_start);
        WaitUntilAcceptingClients();
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
            _xvfb?.Dispose();
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

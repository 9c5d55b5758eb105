using System.Diagnostics;
using CrossDomain.Interop;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// A headless weston (pixman, so frames are really composited) on a private XDG_RUNTIME_DIR of
/// mode 0700, which the bridge's and waypipe's sockets share; stopped with SIGTERM so it reaps its
/// desktop-shell client.
/// </summary>
internal sealed class PrivateWeston : IDisposable
{
    public const string SocketName = "wayland-bench";
    private readonly Process _process;

    private PrivateWeston(Process process, string runtimeDirectory)
    {
        _process = process;
        RuntimeDirectory = runtimeDirectory;
    }

    public string RuntimeDirectory { get; }

    public string SocketPath => Path.Combine(RuntimeDirectory, SocketName);

    public static PrivateWeston Start(int width, int height)
    {
        string executable = ExecutableSearch.OnPath("weston")
            ?? throw new InvalidOperationException("weston is not installed: run deploy/install-deps.sh");
        var runtimeDirectory = Directory.CreateTempSubdirectory("crossdomain-bench-");
        File.SetUnixFileMode(runtimeDirectory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--backend=headless-backend.so", "--use-pixman", $"--width={width}", $"--height={height}",
                $"--socket={SocketName}", "--idle-time=0", $"--log={Path.Combine(runtimeDirectory.FullName, "weston.log")}",
            },
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["XDG_RUNTIME_DIR"] = runtimeDirectory.FullName;
        start.Environment.Remove("WAYLAND_DISPLAY");
        start.Environment.Remove("DISPLAY");
        var process = ChildProcess.Start(start);
        var weston = new PrivateWeston(process, runtimeDirectory.FullName);
        try
        {
            SocketWait.UntilAccepting(weston.SocketPath, process, "weston");
            return weston;
        }
        catch
        {
            weston.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        ChildProcess.Stop(_process);
        Directory.Delete(RuntimeDirectory, recursive: true);
    }
}

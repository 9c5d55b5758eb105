using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// waypipe (Debian's 0.8.4) over a local Unix socket, both halves on this machine: `waypipe client`
/// connected to the compositor, and `waypipe server --display NAME` making the socket clients use
/// (its command is a sleep that only keeps it running: the bench's clients connect themselves).
/// Default compression (lz4) and --no-gpu, as there is no render node here. Both halves fork a
/// process per connection; their CPU is counted through the process trees.
/// </summary>
internal sealed class WaypipePath : IWaylandPath
{
    private const string DisplayName = "wayland-waypipe";
    private readonly Process _client;
    private readonly Process _server;

    private WaypipePath(string executable, PrivateWeston weston)
    {
        string transportSocket = Path.Combine(weston.RuntimeDirectory, "waypipe.sock");
        SocketPath = Path.Combine(weston.RuntimeDirectory, DisplayName);
        _client = ChildProcess.Start(Waypipe(executable, weston, "--no-gpu", "--socket", transportSocket, "client"), line => Console.Error.WriteLine($"waypipe client: {line}"));
        try
        {
            WaitForFile(transportSocket, _client);
            _server = ChildProcess.Start(Waypipe(executable, weston, "--no-gpu", "--socket", transportSocket, "--display", DisplayName, "server", "--", "sleep", "1000000"), line => Console.Error.WriteLine($"waypipe server: {line}"));
            WaitForFile(SocketPath, _server);
        }
        catch
        {
            ChildProcess.Stop(_client);
            throw;
        }
    }

    public string Name => "waypipe";

    public string SocketPath { get; }

    public IReadOnlyCollection<int> RelayProcessIds => [_client.Id, _server.Id];

    public static bool IsInstalled => ExecutableSearch.OnPath("waypipe") is not null;

    public static WaypipePath Start(PrivateWeston weston) =>
        new(ExecutableSearch.OnPath("waypipe") ?? throw new InvalidOperationException("waypipe is not installed (apt-get install waypipe)"), weston);

    public int ClosedClientCount => 0;

    public long? ShmBytesCopied(int closedNumber) => null;

    public void Dispose()
    {
        ChildProcess.Stop(_server);
        ChildProcess.Stop(_client);
    }

    private static ProcessStartInfo Waypipe(string executable, PrivateWeston weston, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["XDG_RUNTIME_DIR"] = weston.RuntimeDirectory;
        start.Environment["WAYLAND_DISPLAY"] = PrivateWeston.SocketName;
        start.Environment.Remove("DISPLAY");
        return start;
    }

    // Not a connect probe: waypipe client treats every connection to its socket as a server
    // arriving, and the server's display socket forwards each connection as an application.
    private static void WaitForFile(string path, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (process.HasExited) throw new InvalidOperationException($"waypipe exited with {process.ExitCode} before creating {path}");
            if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"waypipe did not create {path}");
            Thread.Sleep(20);
        }
        Thread.Sleep(100);
    }
}

using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// waypipe (Debian's 0.8.4) over a local Unix socket, both halves on this machine: one
/// `waypipe client` connected to the compositor, and for each bench client a fresh
/// `waypipe server --display NAME` making the socket that client uses. A server serves one
/// application and exits when the application's last client closes, so one server for the whole
/// run would be gone after the first measurement. Its command, a sleep, only keeps the
/// application alive: the bench's clients connect themselves. Default compression (lz4) and
/// --no-gpu, as there is no render node here. Both halves fork a process per connection; their
/// CPU is counted through the process trees.
/// </summary>
internal sealed class WaypipePath : IWaylandPath
{
    private const string DisplayPrefix = "wayland-waypipe-";
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);
    private readonly string _executable;
    private readonly PrivateWeston _weston;
    private readonly string _transportSocket;
    private readonly Process _client;
    private Process? _server;
    private int _serverSleepId;
    private int _serversStarted;

    private WaypipePath(string executable, PrivateWeston weston)
    {
        _executable = executable;
        _weston = weston;
        _transportSocket = Path.Combine(weston.RuntimeDirectory, "waypipe.sock");
        _client = ChildProcess.Start(Waypipe("--no-gpu", "--socket", _transportSocket, "client"), line => Console.Error.WriteLine($"waypipe client: {line}"));
        try
        {
            WaitForFile(_transportSocket, _client);
        }
        catch
        {
            ChildProcess.Stop(_client);
            throw;
        }
    }

    public string Name => "waypipe";

    /// <summary>The client and the current server: a measurement reads both while its client is connected, so its server is alive.</summary>
    public IReadOnlyCollection<int> RelayProcessIds => _server is null ? [_client.Id] : [_client.Id, _server.Id];

    public static bool IsInstalled => ExecutableSearch.OnPath("waypipe") is not null;

    public static WaypipePath Start(PrivateWeston weston) =>
        new(ExecutableSearch.OnPath("waypipe") ?? throw new InvalidOperationException("waypipe is not installed (apt-get install waypipe)"), weston);


    public long? ShmBytesCopiedForLatestClient() => null;

    public string SocketForNextClient()
    {
        StopServer();
        if (_client.HasExited) throw new InvalidOperationException($"waypipe client exited with {_client.ExitCode}");
        // A new display name each time: the previous server leaves its socket file behind.
        string display = DisplayPrefix + ++_serversStarted;
        string socketPath = Path.Combine(_weston.RuntimeDirectory, display);
        _server = ChildProcess.Start(Waypipe("--no-gpu", "--socket", _transportSocket, "--display", display, "server", "--", "sleep", "1000000"), line => Console.Error.WriteLine($"waypipe server: {line}"));
        WaitForFile(socketPath, _server);
        _serverSleepId = ChildOf(_server);
        return socketPath;
    }

    public void Dispose()
    {
        StopServer();
        ChildProcess.Stop(_client);
    }

    // The sleep outlives its server and holds the server's output pipes: it is stopped by its id.
    private void StopServer()
    {
        if (_server is null) return;
        if (_serverSleepId != 0) Tmds.Linux.LibC.kill(_serverSleepId, Tmds.Linux.LibC.SIGTERM);
        ChildProcess.Stop(_server);
        _server = null;
        _serverSleepId = 0;
    }

    // Read while the server lives: once it exits, its sleep belongs to init and is no longer findable as its child.
    private static int ChildOf(Process server)
    {
        var waited = Stopwatch.StartNew();
        string childrenFile = $"/proc/{server.Id}/task/{server.Id}/children";
        while (waited.Elapsed < StartPatience)
        {
            string children;
            try
            {
                children = File.ReadAllText(childrenFile);
            }
            catch (IOException)
            {
                break;
            }
            if (children.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var first, ..]) return int.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
            Thread.Sleep(10);
        }
        throw new InvalidOperationException($"waypipe server (pid {server.Id}) started no command");
    }

    private ProcessStartInfo Waypipe(params string[] arguments)
    {
        var start = new ProcessStartInfo(_executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["XDG_RUNTIME_DIR"] = _weston.RuntimeDirectory;
        start.Environment["WAYLAND_DISPLAY"] = PrivateWeston.SocketName;
        start.Environment.Remove("DISPLAY");
        return start;
    }

    // Not a connect probe: waypipe client treats every connection to its socket as a server
    // arriving, and a probe of the server's display socket would be the application it serves.
    private static void WaitForFile(string path, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (process.HasExited) throw new InvalidOperationException($"waypipe exited with {process.ExitCode} before creating {path}");
            if (waited.Elapsed > StartPatience) throw new TimeoutException($"waypipe did not create {path} within {StartPatience.TotalSeconds} s");
            Thread.Sleep(20);
        }
        Thread.Sleep(100);
    }
}

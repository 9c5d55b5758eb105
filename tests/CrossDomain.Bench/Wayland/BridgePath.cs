using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// The bridge in local mode as it is deployed: crossdomain-host on a vhost-user socket, its
/// cross-domain contexts connected to the compositor, and crossdomain-proxy --transport local
/// listening for clients, each a separate process: the native binaries (artifacts/native), or
/// with <see cref="BridgeOptions.Native"/> false the dlls built beside the bench under dotnet.
/// The proxy's "Client N closed" log line gives the shm bytes it copied for each client.
/// </summary>
internal sealed partial class BridgePath : IWaylandPath
{
    private const string ProxySocketName = "wayland-bridge";
    private static readonly TimeSpan LogPatience = TimeSpan.FromSeconds(10);
    private readonly Process _host;
    private readonly Process _proxy;
    private readonly string _proxySocketPath;
    // The proxy numbers its clients from 1 in the order they connect, and the bench connects one at a time.
    private readonly Dictionary<int, long> _bytesCopiedByClient = [];
    private int _clientsConnected;
    private readonly ConcurrentQueue<string> _errors = new();

    private BridgePath(PrivateWeston weston, BridgeOptions options)
    {
        Name = options.Firewall ? "bridge" : "bridge, firewall off";
        string hostSocket = Path.Combine(weston.RuntimeDirectory, "gpu.sock");
        _proxySocketPath = Path.Combine(weston.RuntimeDirectory, ProxySocketName);
        string[] hostArguments = ["--socket", hostSocket, "--wayland-display", weston.SocketPath, "--wayland-firewall", options.Firewall ? "true" : "false"];
        if (options.Capsets is { } capsets) hostArguments = [.. hostArguments, "--capsets", capsets];
        _host = ChildProcess.Start(Service(weston, options.Native, "crossdomain-host", hostArguments), KeepErrors);
        try
        {
            SocketWait.UntilAccepting(hostSocket, _host, "crossdomain-host");
        }
        catch
        {
            ChildProcess.Stop(_host);
            throw;
        }
        _proxy = ChildProcess.Start(Service(weston, options.Native, "crossdomain-proxy", "--transport", "local", "--host-socket", hostSocket, "--socket", ProxySocketName), ReadProxyLog);
        try
        {
            SocketWait.UntilAccepting(_proxySocketPath, _proxy, "crossdomain-proxy");
            // The probe that found the socket accepting was the proxy's client 1.
            _clientsConnected = 1;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string SocketForNextClient()
    {
        _clientsConnected++;
        return _proxySocketPath;
    }

    public IReadOnlyCollection<int> RelayProcessIds => [_host.Id, _proxy.Id];

    public static BridgePath Start(PrivateWeston weston, BridgeOptions options) => new(weston, options);

    public long? ShmBytesCopiedForLatestClient()
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < LogPatience)
        {
            lock (_bytesCopiedByClient)
                if (_bytesCopiedByClient.TryGetValue(_clientsConnected, out long copied)) return copied;
            Thread.Sleep(5);
        }
        return null;
    }

    public void Dispose()
    {
        ChildProcess.Stop(_proxy);
        ChildProcess.Stop(_host);
        foreach (string error in _errors) Console.Error.WriteLine($"bridge: {error}");
    }

    private static ProcessStartInfo Service(PrivateWeston weston, bool native, string assemblyName, params string[] arguments)
    {
        var start = new ProcessStartInfo(native ? ExecutableSearch.Native(assemblyName) : ExecutableSearch.DotnetHost())
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        if (!native) start.ArgumentList.Add(ExecutableSearch.BesideBench(assemblyName));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // Only the settings given here: a CROSSDOMAIN_* of the caller's shell must not change what is measured.
        foreach (string name in start.Environment.Keys.Where(name => name.StartsWith("CROSSDOMAIN_", StringComparison.Ordinal)).ToArray())
            start.Environment.Remove(name);
        start.Environment["XDG_RUNTIME_DIR"] = weston.RuntimeDirectory;
        start.Environment.Remove("WAYLAND_DISPLAY");
        return start;
    }

    private void ReadProxyLog(string line)
    {
        var closed = ClientClosedLine().Match(line);
        if (closed.Success)
            lock (_bytesCopiedByClient)
                _bytesCopiedByClient[int.Parse(closed.Groups["client"].Value, CultureInfo.InvariantCulture)] = long.Parse(closed.Groups["bytes"].Value, CultureInfo.InvariantCulture);
        KeepErrors(line);
    }

    private void KeepErrors(string line)
    {
        if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal) || line.StartsWith("warn:", StringComparison.Ordinal))
            _errors.Enqueue(line);
    }

    [GeneratedRegex(@"Client (?<client>\d+) closed: .*, (?<bytes>\d+) shm bytes copied;")]
    private static partial Regex ClientClosedLine();
}

/// <param name="Native">The NativeAOT binaries rather than the JIT-compiled dlls.</param>
/// <param name="Firewall">The host's Wayland firewall (on by default, as deployed).</param>
/// <param name="Capsets">The host's --capsets; null for its default (which loads virglrenderer).</param>
internal readonly record struct BridgeOptions(bool Native, bool Firewall, string? Capsets);

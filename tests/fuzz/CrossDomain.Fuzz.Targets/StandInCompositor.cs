using CrossDomain.Interop;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// The host compositor as a bare listening socket: contexts connect on INIT, and the input decides
/// what "the compositor" sends back. One socket per input (in one directory per process), so no
/// connection or queued byte outlives the input that made it.
/// </summary>
internal sealed class StandInCompositor : IDisposable
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("crossdomain-fuzz-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Delete(recursive: true);
        return directory.FullName;
    });

    private static int _next;
    private readonly UnixListener _listener;
    private readonly List<UnixSocket> _connections = [];
    private readonly byte[] _drainBuffer = new byte[64 << 10];
    private readonly List<FileDescriptor> _receivedFds = [];

    public StandInCompositor()
    {
        SocketPath = Path.Combine(Directory.Value, $"wayland-{Interlocked.Increment(ref _next)}");
        _listener = UnixListener.Bind(SocketPath);
    }

    public string SocketPath { get; }

    /// <summary>The newest connection a context made, taking those queued on the listener first; null when none did.</summary>
    public UnixSocket? Latest()
    {
        while (_listener.TryAccept() is { } connection) _connections.Add(connection);
        return _connections.Count == 0 ? null : _connections[^1];
    }

    /// <summary>Reads and drops what the contexts sent, closing the fds that came with it.</summary>
    public void Drain()
    {
        Latest();
        foreach (var connection in _connections)
        {
            while (connection.Receive(_drainBuffer, _receivedFds).Status == IoStatus.Done)
            {
                foreach (var fd in _receivedFds) fd.Dispose();
                _receivedFds.Clear();
            }
            foreach (var fd in _receivedFds) fd.Dispose();
            _receivedFds.Clear();
        }
    }

    public void Dispose()
    {
        Drain();
        foreach (var connection in _connections) connection.Dispose();
        _listener.Dispose();
        File.Delete(SocketPath);
    }
}

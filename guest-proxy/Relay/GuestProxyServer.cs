using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Listening;
using CrossDomain.Interop;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// The guest proxy compositor: accepts Wayland clients on its socket and gives each its own
/// cross-domain channel (its own host compositor connection), all served from one event loop
/// thread, so a message crosses without a thread hop.
/// </summary>
public sealed class GuestProxyServer : IDisposable
{
    private readonly WaylandSocketListener _listener;
    private readonly Func<CrossDomainChannel> _openChannel;
    private readonly GlobalPolicy _policy;
    private readonly RelayMetrics _metrics;
    private readonly MessageTracer? _tracer;
    private readonly ILogger _logger;
    private readonly EventLoop _loop = new();
    private readonly List<ClientSession> _sessions = [];
    private readonly FdWatch _listenWatch;
    private Thread? _thread;
    private bool _disposed;
    private int _clientCount;
    private int _nextClient = 1;

    /// <param name="openChannel">A fresh channel per client, each on its own driver (kernel: a new DRM fd; local: a new vhost-user connection).</param>
    public GuestProxyServer(WaylandSocketListener listener, Func<CrossDomainChannel> openChannel, GlobalPolicy policy,
        RelayMetrics metrics, MessageTracer? tracer, ILogger logger)
    {
        _listener = listener;
        _openChannel = openChannel;
        _policy = policy;
        _metrics = metrics;
        _tracer = tracer;
        _logger = logger;
        _listenWatch = _loop.Watch(listener.Listener.Handle, Readiness.Readable, _ => Accept());
    }

    public int ClientCount => Volatile.Read(ref _clientCount);

    public RelayMetrics Metrics => _metrics;

    public void Start()
    {
        _thread = new Thread(() => _loop.Run()) { Name = "crossdomain-proxy loop", IsBackground = true };
        _thread.Start();
    }

    private void Accept()
    {
        while (_listener.Listener.TryAccept() is { } socket)
        {
            int number = _nextClient++;
            CrossDomainChannel? channel = null;
            try
            {
                channel = _openChannel();
                _sessions.Add(new ClientSession(number, socket, channel, _loop, _policy, _metrics, _tracer, _logger, Closed));
                Interlocked.Increment(ref _clientCount);
                RelayLog.ClientConnected(_logger, number);
            }
            catch (Exception failure) when (failure is IOException or System.ComponentModel.Win32Exception or InvalidDataException)
            {
                RelayLog.ClientRefused(_logger, number, $"no cross-domain channel to the host: {failure.Message}");
                channel?.Dispose();
                socket.Dispose();
            }
        }
    }

    private void Closed(ClientSession session)
    {
        _sessions.Remove(session);
        Interlocked.Decrement(ref _clientCount);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_thread is not null)
        {
            _loop.Stop();
            _thread.Join();
        }
        foreach (var session in _sessions) session.Dispose();
        _sessions.Clear();
        _listenWatch.Dispose();
        _loop.Dispose();
        _listener.Dispose();
    }
}

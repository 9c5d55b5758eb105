using CrossDomain.Host.Device;
using CrossDomain.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// Accepts front-ends on a listening socket and gives each its own session and device (one
/// connection = one VM). Sessions are independent: one ending, for any reason, leaves the others
/// and the listener as they were. Runs on one <see cref="EventLoop"/>; use it on that thread.
/// </summary>
public sealed class VhostUserServer : IDisposable
{
    private readonly UnixListener _listener;
    private readonly EventLoop _loop;
    private readonly Func<IHostVisibleWindow, IVhostUserDevice> _createDevice;
    private readonly VhostUserBackendOptions _options;
    private readonly ILogger _logger;
    private readonly FdWatch _watch;
    private readonly HashSet<VhostUserBackendSession> _sessions = [];

    /// <param name="listener">Owned by the server from here.</param>
    public VhostUserServer(UnixListener listener, EventLoop loop, Func<IHostVisibleWindow, IVhostUserDevice> createDevice,
        VhostUserBackendOptions? options = null, ILogger? logger = null)
    {
        _listener = listener;
        _loop = loop;
        _createDevice = createDevice;
        _options = options ?? VhostUserBackendOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _watch = loop.Watch(listener.Handle, Readiness.Readable, _ => AcceptPending());
    }

    public IReadOnlyCollection<VhostUserBackendSession> Sessions => _sessions;

    /// <summary>Raised on the loop thread for each new session, before its first message is read.</summary>
    public event Action<VhostUserBackendSession>? SessionStarted;

    public void Dispose()
    {
        _watch.Dispose();
        foreach (var session in _sessions.ToArray()) session.Dispose();
        _sessions.Clear();
        _listener.Dispose();
    }

    private void AcceptPending()
    {
        while (_listener.TryAccept() is { } connection)
        {
            VhostUserBackendSession session;
            try
            {
                session = new VhostUserBackendSession(connection, _loop, _createDevice, _options, _logger);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A device that cannot be built refuses this VM, not the next one.
                VhostUserLog.SessionRefused(_logger, exception);
                connection.Dispose();
                continue;
            }
            _sessions.Add(session);
            session.Closed += ended => _sessions.Remove(ended);
            SessionStarted?.Invoke(session);
        }
    }
}

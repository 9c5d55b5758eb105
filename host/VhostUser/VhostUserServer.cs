using System.ComponentModel;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// Accepts front-ends on a listening socket and gives each its own session and device (one
/// connection = one VM), each on an event-loop thread of its own: a device that waits (for a
/// SHMEM_MAP ack, a renderer call, a long transfer) holds up only its own VM. Sessions are
/// independent: one ending, for any reason, leaves the others and the listener as they were.
/// The server itself runs on the <see cref="EventLoop"/> it is given; use it on that thread.
/// </summary>
public sealed class VhostUserServer : IDisposable
{
    /// <summary>How long accepting pauses when the process is out of fds; the connection waits in the backlog meanwhile.</summary>
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Fds that must be free to start a session: its socket, loop and thread (the runtime takes a
    /// pipe per thread, and ends the process when it cannot), then kicks, calls, memory and the
    /// back-end channel, with room to spare for the sessions already running.
    /// </summary>
    internal const int SessionFdHeadroom = 64;

    private readonly UnixListener _listener;
    private readonly EventLoop _loop;
    private readonly Func<IHostVisibleWindow, EventLoop, IVhostUserDevice> _createDevice;
    private readonly VhostUserBackendOptions _options;
    private readonly ILogger _logger;
    private readonly FdWatch _watch;
    private readonly HashSet<VhostUserBackendSession> _sessions = [];
    private readonly HashSet<SessionThread> _threads = [];
    private bool _acceptFailing;

    /// <param name="listener">Owned by the server from here.</param>
    /// <param name="createDevice">Builds a session's device on that session's own loop, which it is given.</param>
    public VhostUserServer(UnixListener listener, EventLoop loop, Func<IHostVisibleWindow, EventLoop, IVhostUserDevice> createDevice,
        VhostUserBackendOptions? options = null, ILogger? logger = null)
    {
        _listener = listener;
        _loop = loop;
        _createDevice = createDevice;
        _options = options ?? VhostUserBackendOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _watch = loop.Watch(listener.Handle, Readiness.Readable, _ => AcceptPending());
    }

    /// <summary>The sessions running now, as seen from the server's loop (one ending is removed soon after).</summary>
    public IReadOnlyCollection<VhostUserBackendSession> Sessions => _sessions;

    /// <summary>Ends every session, waits for their threads, and closes the listener.</summary>
    public void Dispose()
    {
        _watch.Dispose();
        foreach (var thread in _threads) thread.EndSession();
        foreach (var thread in _threads) thread.Join();
        _threads.Clear();
        _sessions.Clear();
        _listener.Dispose();
    }

    private void AcceptPending()
    {
        while (true)
        {
            UnixSocket? connection;
            try
            {
                connection = _listener.TryAccept();
            }
            catch (Win32Exception exception)
            {
                // Out of fds (EMFILE, ENFILE) or kernel memory: the listener stays readable, so wait
                // a little instead of spinning, and say so once per spell.
                if (!_acceptFailing) VhostUserLog.AcceptFailed(_logger, exception.Message);
                _acceptFailing = true;
                _watch.Change(Readiness.None);
                _loop.AddTimer(AcceptRetryDelay, () => _watch.Change(Readiness.Readable));
                return;
            }
            if (connection is null) return;
            _acceptFailing = false;
            if (!ProcessFdTable.HasRoomFor(SessionFdHeadroom))
            {
                VhostUserLog.SessionRefusedNoFds(_logger, SessionFdHeadroom);
                connection.Dispose();
                continue;
            }
            SessionThread thread;
            try
            {
                thread = new SessionThread();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // No fds or no thread for a loop: this VM is refused, the service goes on.
                VhostUserLog.SessionRefused(_logger, exception);
                connection.Dispose();
                continue;
            }
            Start(thread, connection);
        }
    }

    private void Start(SessionThread thread, UnixSocket connection)
    {
        _threads.Add(thread);
        thread.Start(() =>
        {
            VhostUserBackendSession session;
            try
            {
                session = new VhostUserBackendSession(connection, thread.Loop, window => _createDevice(window, thread.Loop), _options, _logger);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A device that cannot be built refuses this VM, not the next one.
                VhostUserLog.SessionRefused(_logger, exception);
                connection.Dispose();
                thread.Stop();
                _loop.Post(() => _threads.Remove(thread));
                return;
            }
            thread.Session = session;
            thread.Loop.CallbackFailed = session.EndOnFault;
            // Both posts come from this thread in order, so the server never removes before it adds.
            _loop.Post(() => _sessions.Add(session));
            session.Closed += ended =>
            {
                thread.Stop();
                _loop.Post(() =>
                {
                    _sessions.Remove(ended);
                    _threads.Remove(thread);
                });
            };
        });
    }

    /// <summary>
    /// One session's loop and thread. The thread disposes its loop when the session has ended;
    /// from then on nothing may be posted to it, which <see cref="EndSession"/> respects.
    /// </summary>
    private sealed class SessionThread
    {
        private readonly Lock _lock = new();
        private readonly Thread _thread;
        private bool _stopped;

        public SessionThread()
        {
            Loop = new EventLoop();
            _thread = new Thread(Run) { Name = "vhost-user device", IsBackground = true };
        }

        public EventLoop Loop { get; }

        /// <summary>Set on the thread once the session exists.</summary>
        public VhostUserBackendSession? Session { get; set; }

        public void Start(Action first)
        {
            Loop.Post(first);
            _thread.Start();
        }

        /// <summary>Called on the thread: the loop stops after this iteration.</summary>
        public void Stop()
        {
            lock (_lock) _stopped = true;
            Loop.Stop();
        }

        /// <summary>From any thread: asks the session to end on its own thread, unless it already has.</summary>
        public void EndSession()
        {
            lock (_lock)
            {
                if (!_stopped) Loop.Post(() => Session?.Dispose());
            }
        }

        public void Join() => _thread.Join();

        private void Run()
        {
            Loop.Run();
            lock (_lock) _stopped = true;
            Loop.Dispose();
        }
    }
}

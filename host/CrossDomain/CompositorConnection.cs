using CrossDomain.Host.Device;
using CrossDomain.Interop;
using static Tmds.Linux.LibC;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A context's SOCK_STREAM connection to the host compositor. The device loop watches it for
/// input only while the context wants some (a POLL fence is waiting: otherwise the compositor's
/// messages stay in the kernel's socket buffer, which is the back-pressure), and for output only
/// while sends are queued.
/// </summary>
internal sealed class CompositorConnection : IDisposable
{
    private readonly UnixSocket _socket;
    private readonly OnDemandFdWatch _watch;
    private readonly SendBacklog _backlog;
    private readonly Action _inputReady;
    private readonly Action _sendRoom;
    private bool _wantsInput;

    private CompositorConnection(UnixSocket socket, EventLoop loop, ByteBudget sendBudget, HostFdBudget fds, Action inputReady, Action sendRoom)
    {
        _socket = socket;
        _backlog = new SendBacklog(sendBudget, fds);
        _inputReady = inputReady;
        _sendRoom = sendRoom;
        _watch = new OnDemandFdWatch(loop, socket.Handle, OnReady);
    }

    public bool IsClosed { get; private set; }

    /// <summary>Sends are queued for a compositor that has not read them yet.</summary>
    public bool HasBacklog => !_backlog.IsEmpty;

    /// <summary>Set while a POLL fence waits: the loop then calls back when the compositor has sent something (or hung up).</summary>
    public bool WantsInput
    {
        get => _wantsInput;
        set
        {
            _wantsInput = value;
            UpdateWatch();
        }
    }

    /// <summary>Connects without blocking the device loop (<see cref="UnixSocket.TryConnectNonBlocking"/>).</summary>
    /// <param name="fds">Where fds duplicated for queued sends are counted.</param>
    /// <param name="sendRoom">Called when queued sends went out (there is room again), and when the connection closes.</param>
    /// <returns>The connection, or null with <paramref name="errno"/> (ENOENT, ECONNREFUSED, EAGAIN …).</returns>
    public static CompositorConnection? TryConnect(string path, EventLoop loop, ByteBudget sendBudget, HostFdBudget fds, Action inputReady,
        Action sendRoom, out int errno)
    {
        var socket = UnixSocket.TryConnectNonBlocking(path, out errno);
        return socket is null ? null : new CompositorConnection(socket, loop, sendBudget, fds, inputReady, sendRoom);
    }

    /// <summary>
    /// Sends <paramref name="data"/> with <paramref name="fds"/> in one sendmsg, so the fds arrive with
    /// the first byte; what the socket cannot take now is queued (the fds duplicated if none went).
    /// The caller keeps its fds, and has checked that the budgets could queue it all
    /// (<see cref="SendBacklog.Add"/>). False, with <paramref name="errno"/>, when the compositor is gone.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> data, ReadOnlySpan<FileDescriptor> fds, out int errno)
    {
        errno = 0;
        if (IsClosed)
        {
            errno = EPIPE;
            return false;
        }
        if (!_backlog.IsEmpty)
        {
            // Behind what is already queued, or the stream would be reordered.
            _backlog.Add(data, fds);
            return true;
        }
        var result = _socket.Send(data, fds);
        switch (result.Status)
        {
            case IoStatus.Done when result.Bytes == data.Length:
                return true;
            case IoStatus.Done:
                _backlog.Add(data[result.Bytes..], []);
                UpdateWatch();
                return true;
            case IoStatus.WouldBlock:
                _backlog.Add(data, fds);
                UpdateWatch();
                return true;
            default:
                errno = result.Errno;
                return false;
        }
    }

    /// <summary>One non-blocking recvmsg; received fds are appended to <paramref name="fds"/> and owned by the caller.</summary>
    public IoResult Receive(Span<byte> buffer, List<FileDescriptor> fds) =>
        IsClosed ? IoResult.EndOfStream : _socket.Receive(buffer, fds);

    /// <summary>Closes the connection: queued sends are dropped with their fds.</summary>
    public void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        _watch.Dispose();
        _backlog.Clear();
        _socket.Dispose();
        _sendRoom();
    }

    public void Dispose() => Close();

    private void UpdateWatch()
    {
        if (IsClosed) return;
        var interest = (_wantsInput ? Readiness.Readable : Readiness.None) | (_backlog.IsEmpty ? Readiness.None : Readiness.Writable);
        _watch.Set(interest);
    }

    private void OnReady(Readiness readiness)
    {
        if ((readiness & (Readiness.Writable | Readiness.Error | Readiness.HangUp)) != 0 && !_backlog.IsEmpty)
        {
            // A compositor that hung up takes nothing more; what it would have read is dropped.
            if (_backlog.Flush(_socket).IsError) _backlog.Clear();
            UpdateWatch();
            _sendRoom();
        }
        if (_wantsInput && (readiness & (Readiness.Readable | Readiness.Error | Readiness.HangUp | Readiness.PeerClosed)) != 0)
            _inputReady();
    }
}

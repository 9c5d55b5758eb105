using CrossDomain.Interop;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A STAND-IN for the host compositor: a listening Unix socket the context connects to, driven by
/// the test, so the test decides exactly what "the compositor" sends and sees what arrives. Used
/// where a real weston cannot be made to send something on cue (pipes, odd fds, floods, EOF).
/// </summary>
internal sealed class StandInCompositor : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _directory;
    private readonly UnixListener _listener;
    private readonly List<UnixSocket> _earlierConnections = [];
    private UnixSocket? _connection;

    public StandInCompositor()
    {
        _directory = Directory.CreateTempSubdirectory("crossdomain-standin-");
        SocketPath = Path.Combine(_directory.FullName, "wayland-standin");
        _listener = UnixListener.Bind(SocketPath);
    }

    public string SocketPath { get; }

    public UnixSocket Connection => _connection ?? throw new InvalidOperationException("No context has connected yet.");

    /// <summary>Takes the connection a context made on INIT (already queued on the listener); it becomes <see cref="Connection"/>.</summary>
    public void AcceptConnection()
    {
        if (_connection is not null) _earlierConnections.Add(_connection);
        // INIT is queued, not waited for, by a driver (as EXECBUFFER is): the connect may be a moment behind.
        var deadline = DateTime.UtcNow + Timeout;
        while ((_connection = _listener.TryAccept()) is null && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.NotNull(_connection);
    }

    /// <summary>Whether a further connection is waiting, without taking it.</summary>
    public bool HasPendingConnection()
    {
        using var extra = _listener.TryAccept();
        return extra is not null;
    }

    /// <summary>Sends "compositor events" to the guest: the bytes, with the fds on the first byte.</summary>
    public void SendToGuest(ReadOnlySpan<byte> data, params FileDescriptor[] fds)
    {
        var result = Connection.Send(data, fds);
        Assert.Equal(IoStatus.Done, result.Status);
        Assert.Equal(data.Length, result.Bytes);
    }

    /// <summary>Reads until <paramref name="length"/> bytes have come from the guest; the fds that came with them are the caller's.</summary>
    public (byte[] Data, List<FileDescriptor> Fds) ReceiveFromGuest(int length)
    {
        var data = new byte[length];
        var fds = new List<FileDescriptor>();
        int received = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (received < length)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the stand-in compositor got {received} of {length} bytes");
            var result = Connection.Receive(data.AsSpan(received), fds);
            if (result.Status == IoStatus.WouldBlock)
            {
                Thread.Sleep(5);
                continue;
            }
            Assert.Equal(IoStatus.Done, result.Status);
            received += result.Bytes;
        }
        return (data, fds);
    }

    /// <summary>Reads whatever the guest sent so far and closes the fds that came with it; returns the byte count.</summary>
    public int Drain()
    {
        if (_connection is null) return 0;
        var buffer = new byte[64 * 1024];
        var fds = new List<FileDescriptor>();
        int total = 0;
        while (true)
        {
            var result = _connection.Receive(buffer, fds);
            foreach (var fd in fds) fd.Dispose();
            fds.Clear();
            if (result.Status != IoStatus.Done) return total;
            total += result.Bytes;
        }
    }

    /// <summary>The compositor hangs up on the context.</summary>
    public void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        foreach (var connection in _earlierConnections) connection.Dispose();
        _listener.Dispose();
        _directory.Delete(recursive: true);
    }
}

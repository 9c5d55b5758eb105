using CrossDomain.Interop;

namespace CrossDomain.Tests.Support.Wayland;

/// <summary>A <see cref="WaylandTestClient{TSentFd, TReceivedFd}"/> on its own socket to a compositor or the proxy.</summary>
public sealed class SocketWaylandClient(UnixSocket socket) : WaylandTestClient<FileDescriptor, FileDescriptor>(new SocketTransport(socket))
{
    public static SocketWaylandClient Connect(string socketPath) => new(UnixSocket.Connect(socketPath));
}

/// <summary>A Unix socket as a client has it: fds go and come as SCM_RIGHTS with the bytes.</summary>
public sealed class SocketTransport(UnixSocket socket) : IWaylandTestTransport<FileDescriptor, FileDescriptor>
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private readonly byte[] _received = new byte[4096];
    private readonly List<FileDescriptor> _receivedFds = new(UnixSocket.MaxFdsPerMessage);

    public void Send(ReadOnlySpan<byte> requests, ReadOnlySpan<FileDescriptor> fds)
    {
        try
        {
            var left = requests;
            bool fdsSent = false;
            var deadline = DateTime.UtcNow + SendTimeout;
            while (!left.IsEmpty)
            {
                // The fds go with the first byte the kernel takes; the rest of the bytes go without them.
                var result = socket.Send(left, fdsSent ? default : fds);
                if (result.Status == IoStatus.WouldBlock)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the peer stopped reading");
                    Wait(Tmds.Linux.LibC.POLLOUT, TimeSpan.FromMilliseconds(200));
                    continue;
                }
                Assert.True(result.Status == IoStatus.Done, $"sending: {result}");
                fdsSent = true;
                left = left[result.Bytes..];
            }
        }
        finally
        {
            // The kernel holds its own references now: ours must not keep, say, a pipe's write end open.
            foreach (var fd in fds) fd.Dispose();
        }
    }

    public bool TryReceive(TimeSpan patience, out ReadOnlySpan<byte> bytes, Queue<FileDescriptor> fds)
    {
        bytes = default;
        Wait(Tmds.Linux.LibC.POLLIN, patience);
        var result = socket.Receive(_received, _receivedFds);
        foreach (var fd in _receivedFds) fds.Enqueue(fd);
        _receivedFds.Clear();
        if (result.Status == IoStatus.Done) bytes = _received.AsSpan(0, result.Bytes);
        return result.Status != IoStatus.EndOfStream && !result.IsError;
    }

    public void Dispose() => socket.Dispose();

    private unsafe void Wait(short events, TimeSpan patience)
    {
        var poll = new Tmds.Linux.pollfd { fd = socket.Fd, events = events };
        Tmds.Linux.LibC.poll(&poll, 1, (int)patience.TotalMilliseconds);
    }
}

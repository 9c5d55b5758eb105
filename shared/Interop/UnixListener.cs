using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>A listening AF_UNIX stream socket; <see cref="TryAccept"/> never blocks.</summary>
public sealed unsafe class UnixListener : IDisposable
{
    private readonly string? _ownedPath;

    private UnixListener(FileDescriptor fd, string? ownedPath)
    {
        Handle = fd;
        _ownedPath = ownedPath;
    }

    public FileDescriptor Handle { get; }

    public int Fd => Handle.Fd;

    /// <summary>
    /// Binds <paramref name="path"/> and listens. A socket file nobody listens on any more is
    /// replaced; one a live server answers on is left alone and binding fails.
    /// </summary>
    public static UnixListener Bind(string path, int backlog = 128)
    {
        var fd = UnixSocket.NewSocket(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
        try
        {
            var address = UnixSocket.Address(path, out var length);
            RemoveStaleSocket(path);
            if (bind(fd.Fd, (sockaddr*)&address, length) != 0) throw Errno.Exception($"bind({path})");
            if (listen(fd.Fd, backlog) != 0) throw Errno.Exception($"listen({path})");
            return new UnixListener(fd, path);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path)) return;
        try
        {
            using var probe = UnixSocket.Connect(path);
        }
        catch (System.ComponentModel.Win32Exception refused) when (refused.NativeErrorCode == ECONNREFUSED)
        {
            File.Delete(path);
            return;
        }
        throw new IOException($"{path} is in use by a running server");
    }

    /// <summary>Adopts an already listening socket, e.g. one passed by systemd (LISTEN_FDS).</summary>
    public static UnixListener Adopt(FileDescriptor fd)
    {
        fd.SetNonBlocking();
        return new UnixListener(fd, ownedPath: null);
    }

    /// <summary>Accepts one pending connection, or returns null when none is waiting.</summary>
    public UnixSocket? TryAccept()
    {
        int fd = accept4(Fd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) return UnixSocket.Adopt(new FileDescriptor(fd));
        int errno = Errno.Last;
        // A connection that was reset before we accepted it is the client's problem, not ours.
        if (Errno.IsWouldBlock(errno) || errno == ECONNABORTED || errno == EINTR) return null;
        throw Errno.Exception("accept4");
    }

    public void Dispose()
    {
        Handle.Dispose();
        if (_ownedPath is not null) File.Delete(_ownedPath);
    }
}

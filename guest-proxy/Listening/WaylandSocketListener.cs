using System.Runtime.InteropServices;
using System.Text;
using CrossDomain.Interop;
using Tmds.Linux;

namespace CrossDomain.GuestProxy.Listening;

/// <summary>
/// Where the proxy's clients connect: <c>$XDG_RUNTIME_DIR/NAME</c> guarded by <c>NAME.lock</c> as
/// libwayland does (the lock, not the socket file, says who owns the name, so a socket left by a
/// crashed compositor is replaced and a live one is never taken over), or a socket systemd
/// passed in (<c>LISTEN_FDS</c>, socket activation).
/// </summary>
public sealed partial class WaylandSocketListener : IDisposable
{
    /// <summary>SD_LISTEN_FDS_START: the first fd systemd passes.</summary>
    public const int SystemdFirstFd = 3;

    private readonly FileDescriptor? _lock;
    private readonly string? _lockPath;

    private WaylandSocketListener(UnixListener listener, string? socketPath, FileDescriptor? lockFd, string? lockPath)
    {
        Listener = listener;
        SocketPath = socketPath;
        _lock = lockFd;
        _lockPath = lockPath;
    }

    public UnixListener Listener { get; }

    /// <summary>The socket's path; null for a socket systemd passed in.</summary>
    public string? SocketPath { get; }

    public bool FromSystemd => SocketPath is null;

    /// <summary>Takes the name <paramref name="name"/> in <paramref name="runtimeDirectory"/>, or explains in one line why not.</summary>
    public static WaylandSocketListener Open(string runtimeDirectory, string name)
    {
        string socketPath = Path.Combine(runtimeDirectory, name);
        string lockPath = socketPath + ".lock";
        int fd = OpenLockFile(lockPath);
        if (fd < 0) throw new IOException($"cannot create the lock file {lockPath}: {Errno.Exception("open").Message}");
        var lockFd = new FileDescriptor(fd);
        if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            lockFd.Dispose();
            throw new IOException($"{socketPath} is taken: another Wayland compositor holds {lockPath}");
        }
        try
        {
            // Holding the lock makes any socket file there a leftover of a compositor that is gone.
            File.Delete(socketPath);
            return new WaylandSocketListener(UnixListener.Bind(socketPath), socketPath, lockFd, lockPath);
        }
        catch
        {
            lockFd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The listening socket systemd passed, when <c>LISTEN_PID</c> names this process and
    /// <c>LISTEN_FDS</c> is at least 1; null otherwise. The variables are removed so that children
    /// (apps started by <c>run</c>) do not take them for their own.
    /// </summary>
    public static WaylandSocketListener? FromSystemdEnvironment(int processId, int firstFd = SystemdFirstFd)
    {
        string? pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        string? count = Environment.GetEnvironmentVariable("LISTEN_FDS");
        if (pid is null || count is null || pid != processId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        Environment.SetEnvironmentVariable("LISTEN_PID", null);
        Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        Environment.SetEnvironmentVariable("LISTEN_FDNAMES", null);
        if (!int.TryParse(count, out int fds) || fds < 1) return null;
        // Close-on-exec: systemd hands the fds over without it, and apps we start must not inherit them.
        LibC.fcntl(firstFd, LibC.F_SETFD, LibC.FD_CLOEXEC);
        return new WaylandSocketListener(UnixListener.Adopt(new FileDescriptor(firstFd)), null, null, null);
    }

    public void Dispose()
    {
        Listener.Dispose(); // removes the socket file it bound
        if (_lock is null) return;
        File.Delete(_lockPath!);
        _lock.Dispose();
    }

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private static unsafe int OpenLockFile(string path)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pointer = utf8)
            return LibC.open(pointer, LibC.O_CREAT | LibC.O_CLOEXEC | LibC.O_RDWR, 0b110_100_000);
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}

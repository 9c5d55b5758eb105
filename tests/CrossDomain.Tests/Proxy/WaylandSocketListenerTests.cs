using CrossDomain.GuestProxy.Listening;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Proxy;

// Serial: one test sets LISTEN_* in this process's environment.
[Collection(FdAccounting.Name)]
public sealed class WaylandSocketListenerTests : IDisposable
{
    private readonly DirectoryInfo _runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");

    public void Dispose() => _runtime.Delete(recursive: true);

    [Fact]
    public void The_name_is_guarded_by_a_lock_file_and_both_go_on_dispose()
    {
        string socket = Path.Combine(_runtime.FullName, "wayland-7");
        using (var listener = WaylandSocketListener.Open(_runtime.FullName, "wayland-7"))
        {
            Assert.Equal(socket, listener.SocketPath);
            Assert.True(File.Exists(socket + ".lock"));
            using var client = UnixSocket.Connect(socket);
            using var accepted = listener.Listener.TryAccept();
            Assert.NotNull(accepted);

            var taken = Assert.Throws<IOException>(() => WaylandSocketListener.Open(_runtime.FullName, "wayland-7"));
            Assert.Equal($"{socket} is taken: another Wayland compositor holds {socket}.lock", taken.Message);
        }
        Assert.False(File.Exists(socket));
        Assert.False(File.Exists(socket + ".lock"));
    }

    [Fact]
    public void A_socket_left_by_a_compositor_that_is_gone_is_replaced()
    {
        string socket = Path.Combine(_runtime.FullName, "wayland-8");
        var crashed = UnixListener.Bind(socket);
        crashed.Handle.Dispose(); // gone without unlinking, and without a lock
        using var listener = WaylandSocketListener.Open(_runtime.FullName, "wayland-8");
        using var client = UnixSocket.Connect(socket);
    }

    [Fact]
    public void A_socket_passed_by_systemd_is_adopted_and_the_variables_are_cleared()
    {
        string socket = Path.Combine(_runtime.FullName, "activated");
        using var bound = UnixListener.Bind(socket);
        var passed = bound.Handle.Duplicate();
        Environment.SetEnvironmentVariable("LISTEN_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("LISTEN_FDS", "1");
        try
        {
            Assert.Null(WaylandSocketListener.FromSystemdEnvironment(Environment.ProcessId + 1, passed.Fd));
            Environment.SetEnvironmentVariable("LISTEN_PID", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Environment.SetEnvironmentVariable("LISTEN_FDS", "1");
            using var listener = WaylandSocketListener.FromSystemdEnvironment(Environment.ProcessId, passed.Release());
            Assert.NotNull(listener);
            Assert.True(listener.FromSystemd);
            Assert.Null(Environment.GetEnvironmentVariable("LISTEN_FDS"));
            using var client = UnixSocket.Connect(socket);
            using var accepted = listener.Listener.TryAccept();
            Assert.NotNull(accepted);
        }
        finally
        {
            Environment.SetEnvironmentVariable("LISTEN_PID", null);
            Environment.SetEnvironmentVariable("LISTEN_FDS", null);
        }
    }
}

using System.Net.Sockets;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// The <see cref="SystemdSocketActivation"/> helper hands a command what crossdomain-proxy.socket
/// hands the proxy: the listening socket as fd 3, described by LISTEN_FDS, LISTEN_PID and
/// LISTEN_FDNAMES, and only once a client connects.
/// </summary>
public sealed class SystemdSocketActivationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_command_runs_on_the_first_connection_with_the_socket_as_fd_3()
    {
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        try
        {
            string socketPath = Path.Join(runtime.FullName, "wayland-0");
            // $$ is the shell's pid: LISTEN_PID must name the process that got the fds, not the tool.
            const string report = """echo "$LISTEN_FDS|$LISTEN_FDNAMES|$LISTEN_PID|$$|$XDG_RUNTIME_DIR"; test -S /proc/self/fd/3 && echo "fd 3 is a socket" """;
            using var activation = await SystemdSocketActivation.StartAsync(socketPath,
                new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName }, "sh", ["-c", report], fdName: "wayland");

            Assert.True(File.Exists(socketPath), "the socket was not bound");
            Assert.False(activation.Process.HasExited, "the command ran before anyone connected");
            Assert.Equal("", activation.StandardOutput);

            using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            int exitCode = await activation.WaitForExitAsync(Patience);

            Assert.True(exitCode == 0, $"the command exited with {exitCode}: {activation.StandardError}");
            string[] lines = activation.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"1|wayland|{activation.Process.Id}|{activation.Process.Id}|{runtime.FullName}", "fd 3 is a socket"], lines);
        }
        finally
        {
            runtime.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_proxy_takes_its_socket_from_LISTEN_FDS_and_a_client_reaches_weston_through_it()
    {
        using var weston = HeadlessWeston.Start();
        using var host = new InProcessHostService(new CrossDomainContextType(
            new CrossDomainOptions { WaylandSocketPath = weston.SocketPath }, NullLogger.Instance));
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        try
        {
            File.SetUnixFileMode(runtime.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string socketPath = Path.Join(runtime.FullName, "wayland-0");
            using var activation = await SystemdSocketActivation.StartExecutableAsync(socketPath, "crossdomain-proxy",
                new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName },
                "--transport", "local", "--host-socket", host.SocketPath);

            // wayland-info's connection is the one that starts the proxy, as with crossdomain-proxy.socket.
            var globals = WaylandInfo.ListGlobals(start =>
            {
                start.Environment["XDG_RUNTIME_DIR"] = runtime.FullName;
                start.Environment["WAYLAND_DISPLAY"] = "wayland-0";
            });
            Assert.Contains(globals, global => global.Interface == "wl_compositor");
            Assert.Contains("Listening on the socket systemd passed", activation.StandardOutput + activation.StandardError);

            Tmds.Linux.LibC.kill(activation.Process.Id, Tmds.Linux.LibC.SIGTERM);
            int exitCode = await activation.WaitForExitAsync(Patience);
            Assert.True(exitCode == 0, $"the proxy exited with {exitCode} on SIGTERM: {activation.StandardError}");
        }
        finally
        {
            runtime.Delete(recursive: true);
        }
    }
}

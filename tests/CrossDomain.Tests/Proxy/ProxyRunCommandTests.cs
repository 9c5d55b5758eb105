using CrossDomain.Host.CrossDomain;
using CrossDomain.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Tests.Proxy;

/// <summary><c>crossdomain-proxy run -- APP</c>, the executable itself: APP through the bridge, and APP's exit code as its own.</summary>
public sealed class ProxyRunCommandTests
{
    [Fact]
    public async Task Run_starts_the_app_on_a_private_socket_through_the_bridge_and_returns_its_exit_code()
    {
        using var weston = HeadlessWeston.Start();
        using var host = new InProcessHostService(new CrossDomainContextType(
            new CrossDomainOptions { WaylandSocketPath = weston.SocketPath }, NullLogger.Instance));
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        try
        {
            var environment = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName };
            var info = await ExecutableProcess.RunAsync("crossdomain-proxy", environment, "run", "--host-socket", host.SocketPath, "--", "wayland-info");
            Assert.True(info.ExitCode == 0, $"exit {info.ExitCode}: {info.StandardError}");
            Assert.Contains("interface: 'wl_compositor'", info.StandardOutput);
            Assert.DoesNotContain("interface: 'weston_", info.StandardOutput);

            // --trace: every relayed message, as WAYLAND_DEBUG=1 writes it, with the client and the direction.
            var traced = await ExecutableProcess.RunAsync("crossdomain-proxy", environment, "run", "--trace", "--host-socket", host.SocketPath, "--", "wayland-info");
            Assert.Equal(0, traced.ExitCode);
            Assert.Contains("client 1 -> wl_display#1.get_registry(new id wl_registry#2)", traced.StandardOutput);
            Assert.Contains("client 1 <- wl_registry#2.global(", traced.StandardOutput);

            var failing = await ExecutableProcess.RunAsync("crossdomain-proxy", environment, "run", "--host-socket", host.SocketPath, "--", "sh", "-c", "exit 7");
            Assert.Equal(7, failing.ExitCode);
            // The private socket's directory goes with the run.
            Assert.Empty(Directory.GetFileSystemEntries(runtime.FullName));
        }
        finally
        {
            runtime.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Run_without_a_host_service_is_one_line_naming_the_socket()
    {
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        try
        {
            string missing = Path.Join(runtime.FullName, "no-host.sock");
            var result = await ExecutableProcess.RunAsync("crossdomain-proxy", new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName },
                "run", "--host-socket", missing, "--", "true");
            Assert.Equal(1, result.ExitCode);
            string line = Assert.Single(result.ErrorLines);
            Assert.Contains(missing, line);
        }
        finally
        {
            runtime.Delete(recursive: true);
        }
    }
}

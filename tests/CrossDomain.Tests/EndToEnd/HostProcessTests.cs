using System.Collections.Concurrent;
using System.Diagnostics;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;

namespace CrossDomain.Tests.EndToEnd;

/// <summary>crossdomain-host as a process: it serves its socket, and SIGTERM stops it cleanly.</summary>
public sealed class HostProcessTests
{
    [Fact]
    public async Task The_host_serves_the_default_socket_and_exits_0_on_sigterm()
    {
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        try
        {
            string socket = Path.Combine(runtime.FullName, "crossdomain", "gpu.sock");
            using var host = ExecutableProcess.Start("crossdomain-host", new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName });
            var output = host.StandardOutput.ReadToEndAsync();
            var errors = host.StandardError.ReadToEndAsync();
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (!File.Exists(socket))
                {
                    if (host.HasExited) Assert.Fail($"the host exited early: {await errors}");
                    Assert.True(DateTime.UtcNow < deadline, "the host did not create its socket");
                    Thread.Sleep(50);
                }
                using (var gpu = LocalVirtioGpu.Connect(socket))
                    Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.Features3D));
            }
            finally
            {
                Tmds.Linux.LibC.kill(host.Id, Tmds.Linux.LibC.SIGTERM);
                if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            }
            Assert.Equal(0, host.ExitCode);
            Assert.False(File.Exists(socket), "the socket was left behind");
            Assert.Contains($"Listening on {socket}", await output, StringComparison.Ordinal);
        }
        finally
        {
            runtime.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_socket_path_that_cannot_be_bound_is_one_line_and_exit_1()
    {
        var session = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = Path.GetTempPath().TrimEnd('/') };
        var result = await ExecutableProcess.RunAsync("crossdomain-host", session,
            "--socket", "/proc/crossdomain-test/gpu.sock");
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("crossdomain-host: ", line, StringComparison.Ordinal);
        Assert.Contains("/proc/crossdomain-test", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_fds_the_host_refuses_connections_for_a_while_and_then_serves_again()
    {
        var runtime = Directory.CreateTempSubdirectory("crossdomain-runtime-");
        string socket = Path.Combine(runtime.FullName, "gpu.sock");
        using var host = ExecutableProcess.Start("crossdomain-host", new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime.FullName },
            "--socket", socket);
        var lines = new ConcurrentQueue<string>();
        host.OutputDataReceived += (_, line) => { if (line.Data is { } text) lines.Enqueue(text); };
        host.ErrorDataReceived += (_, line) => { if (line.Data is { } text) lines.Enqueue(text); };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        var connections = new List<UnixSocket>();
        try
        {
            Assert.True(WaitFor(() => File.Exists(socket) || host.HasExited), "the host did not create its socket");
            Assert.False(host.HasExited, string.Join('\n', lines));

            // A few fds past the headroom a session needs, so that a handful of connections uses them up.
            int limit = Directory.GetFiles($"/proc/{host.Id}/fd").Length + 64 + 16;
            using (var prlimit = Process.Start("prlimit", ["--pid", host.Id.ToString(), $"--nofile={limit}:{limit}"]))
            {
                prlimit.WaitForExit();
                Assert.Equal(0, prlimit.ExitCode);
            }
            for (int i = 0; i < 120; i++) connections.Add(UnixSocket.Connect(socket));
            Assert.True(WaitFor(() => lines.Any(IsOutOfFds)), "the host never ran out of fds:\n" + string.Join('\n', lines));
            Assert.False(host.HasExited, "the host ended when it ran out of fds");

            foreach (var connection in connections) connection.Dispose();
            connections.Clear();
            // Once the sessions of those connections have ended on their threads, it takes the next one.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var gpu = LocalVirtioGpu.Connect(socket);
                    Assert.Equal(1ul, gpu.GetParam(VirtgpuParam.Features3D));
                    break;
                }
                catch (VirtioGpuDriverException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }
            }
            Assert.False(host.HasExited);
        }
        finally
        {
            foreach (var connection in connections) connection.Dispose();
            if (!host.HasExited) Tmds.Linux.LibC.kill(host.Id, Tmds.Linux.LibC.SIGTERM);
            if (!host.WaitForExit(TimeSpan.FromSeconds(30))) host.Kill(entireProcessTree: true);
            runtime.Delete(recursive: true);
        }
        Assert.Equal(0, host.ExitCode);
    }

    private static bool IsOutOfFds(string line) =>
        line.Contains("fds left in this process", StringComparison.Ordinal)
        || line.Contains("cannot accept a connection", StringComparison.Ordinal);

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }
}

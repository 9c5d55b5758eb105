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
}

using System.Diagnostics;
using System.Text;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// crossdomain-host as a VM's back-end: a real process serving a vhost-user socket, its cross-domain
/// contexts connected to a compositor, at debug level (one line per virtio-gpu command), with every
/// context type this build knows (virgl, when it has it), so the guest sees all their capsets.
/// </summary>
public sealed class HostServiceProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private HostServiceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The fds the service holds now, each with what it points at.</summary>
    public Dictionary<int, string> OpenFds()
    {
        var fds = new Dictionary<int, string>();
        foreach (string path in Directory.GetFiles($"/proc/{_process.Id}/fd"))
        {
            try
            {
                fds[int.Parse(Path.GetFileName(path), System.Globalization.CultureInfo.InvariantCulture)] = new FileInfo(path).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                // Closed between the listing and the read.
            }
        }
        return fds;
    }

    public static async Task<HostServiceProcess> StartAsync(string socket, string compositor, string runtimeDirectory)
    {
        List<string> arguments = ["--socket", socket, "--wayland-display", compositor, "--log-level", "debug", "--vm-name", "tier"];
        var help = await ExecutableProcess.RunAsync("crossdomain-host", new Dictionary<string, string>(), "--help");
        string? capsets = help.StandardOutput.Split('\n')
            .SkipWhile(line => !line.TrimStart().StartsWith("--capsets", StringComparison.Ordinal))
            .Select(line => line.Trim())
            .FirstOrDefault(line => line.StartsWith("values ", StringComparison.Ordinal))?["values ".Length..].Trim();
        if (capsets is not null)
            arguments.AddRange(["--capsets", string.Join(',', capsets.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))]);

        var host = new HostServiceProcess(ExecutableProcess.Start("crossdomain-host",
            new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtimeDirectory }, [.. arguments]));
        var deadline = DateTime.UtcNow + Patience;
        while (!File.Exists(socket))
        {
            if (host.HasExited) Assert.Fail($"crossdomain-host exited early:\n{host.Log}");
            Assert.True(DateTime.UtcNow < deadline, $"crossdomain-host did not create {socket}:\n{host.Log}");
            await Task.Delay(50);
        }
        return host;
    }

    /// <summary>SIGTERM, as systemd stops it; its exit code.</summary>
    public async Task<int> StopAsync()
    {
        Tmds.Linux.LibC.kill(_process.Id, Tmds.Linux.LibC.SIGTERM);
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }
}

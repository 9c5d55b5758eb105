using System.Diagnostics;
using System.Text;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// One real boot, shared by the VM tests: a headless weston, crossdomain-host serving a vhost-user
/// socket (debug log: one line per virtio-gpu command) and QEMU 10.0.2 under TCG booting Debian's
/// 6.1 kernel with vhost-user-gpu-pci on that socket and the host's root over 9p. The initramfs's
/// init (deploy/vm/guest-init.sh) reports "crossdomain-vm: KEY VALUE" lines on the serial console
/// and powers off; QEMU is killed if it runs past <see cref="QemuPatience"/>.
/// </summary>
public sealed class GuestBoot : IAsyncLifetime
{
    private const string ReportPrefix = "crossdomain-vm: ";
    private static readonly TimeSpan QemuPatience = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan HostPatience = TimeSpan.FromSeconds(30);

    private readonly StringBuilder _hostLog = new();
    private readonly List<string> _serialLines = [];
    private DirectoryInfo? _directory;

    /// <summary>Why nothing was booted (QEMU could not be fetched); null when the boot ran.</summary>
    public string? SkipReason { get; private set; }

    public int QemuExitCode { get; private set; }

    public int HostExitCode { get; private set; }

    /// <summary>From QEMU's start to the guest's "done" line.</summary>
    public TimeSpan BootTime { get; private set; }

    public string CommandLine { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Report { get; private set; } = new Dictionary<string, string>();

    public string HostLog { get { lock (_hostLog) return _hostLog.ToString(); } }

    public string Serial { get { lock (_serialLines) return string.Join('\n', _serialLines); } }

    public async Task InitializeAsync()
    {
        var (images, skipReason) = await VmImages.GetAsync();
        if (images is null)
        {
            SkipReason = skipReason;
            return;
        }
        _directory = Directory.CreateTempSubdirectory("crossdomain-vm-");
        string socket = Path.Combine(_directory.FullName, "gpu.sock");
        using var weston = HeadlessWeston.Start();
        using var host = await StartHostAsync(socket, weston.SocketPath);
        try
        {
            await BootAsync(images, socket);
        }
        finally
        {
            HostExitCode = await StopAsync(host);
        }
        Report = _serialLines
            .Where(line => line.StartsWith(ReportPrefix, StringComparison.Ordinal))
            .Select(line => line[ReportPrefix.Length..].Split(' ', 2))
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.Last().ElementAtOrDefault(1)?.Trim() ?? "");
    }

    public Task DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private async Task<Process> StartHostAsync(string socket, string compositor)
    {
        List<string> arguments = ["--socket", socket, "--wayland-display", compositor, "--log-level", "debug"];
        // Every context type this build of the host knows (virgl, once it has it): the guest then
        // sees the capsets and the virgl test can run.
        var help = await ExecutableProcess.RunAsync("crossdomain-host", new Dictionary<string, string>(), "--help");
        string? capsets = help.StandardOutput.Split('\n')
            .SkipWhile(line => !line.TrimStart().StartsWith("--capsets", StringComparison.Ordinal))
            .Select(line => line.Trim())
            .FirstOrDefault(line => line.StartsWith("values ", StringComparison.Ordinal))?["values ".Length..].Trim();
        if (capsets is not null)
            arguments.AddRange(["--capsets", string.Join(',', capsets.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))]);

        var host = ExecutableProcess.Start("crossdomain-host",
            new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = _directory!.FullName }, [.. arguments]);
        host.OutputDataReceived += (_, line) => AppendHostLog(line.Data);
        host.ErrorDataReceived += (_, line) => AppendHostLog(line.Data);
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + HostPatience;
        while (!File.Exists(socket))
        {
            if (host.HasExited) Assert.Fail($"crossdomain-host exited early:\n{HostLog}");
            Assert.True(DateTime.UtcNow < deadline, $"crossdomain-host did not create {socket}:\n{HostLog}");
            await Task.Delay(50);
        }
        return host;
    }

    private void AppendHostLog(string? line)
    {
        if (line is null) return;
        lock (_hostLog) _hostLog.AppendLine(line);
    }

    private async Task BootAsync(VmImages images, string socket)
    {
        var start = new ProcessStartInfo(images.Qemu)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in images.QemuEnvironment) start.Environment[name] = value;
        foreach (string directory in images.FirmwareDirectories)
        {
            start.ArgumentList.Add("-L");
            start.ArgumentList.Add(directory);
        }
        string[] arguments =
        [
            "-machine", "q35,accel=tcg", "-m", "512",
            // vhost-user needs guest RAM the back-end can map: a shared memfd.
            "-object", "memory-backend-memfd,id=mem,size=512M,share=on", "-machine", "memory-backend=mem",
            "-chardev", $"socket,id=gpu,path={socket}", "-device", "vhost-user-gpu-pci,chardev=gpu",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on",
            "-kernel", images.Kernel, "-initrd", images.Initramfs,
            "-append", $"console=ttyS0 panic=-1 crossdomain.glprobe={images.GlProbe}",
            "-nographic", "-no-reboot",
        ];
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        CommandLine = string.Join(' ', start.ArgumentList.Select(argument => argument.Contains(' ', StringComparison.Ordinal) ? $"'{argument}'" : argument));

        var clock = Stopwatch.StartNew();
        using var qemu = Process.Start(start)!;
        qemu.OutputDataReceived += (_, line) => AppendSerial(line.Data, clock);
        qemu.ErrorDataReceived += (_, line) => AppendSerial(line.Data, clock: null);
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(QemuPatience);
        try
        {
            await qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            qemu.Kill(entireProcessTree: true);
            await qemu.WaitForExitAsync();
            Assert.Fail($"QEMU did not power off within {QemuPatience}; serial console:\n{Serial}");
        }
        finally
        {
            if (!qemu.HasExited) qemu.Kill(entireProcessTree: true);
        }
        QemuExitCode = qemu.ExitCode;
    }

    private void AppendSerial(string? line, Stopwatch? clock)
    {
        if (line is null) return;
        lock (_serialLines) _serialLines.Add(line);
        if (clock is not null && line.StartsWith(ReportPrefix + "done", StringComparison.Ordinal)) BootTime = clock.Elapsed;
    }

    private static async Task<int> StopAsync(Process host)
    {
        Tmds.Linux.LibC.kill(host.Id, Tmds.Linux.LibC.SIGTERM);
        using var timeout = new CancellationTokenSource(HostPatience);
        try
        {
            await host.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
        return host.ExitCode;
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// One QEMU process booting the tier's kernel and initramfs under TCG, with the host's root over
/// 9p and a virtio-gpu on a vhost-user socket. It keeps the serial console's lines, answers
/// "crossdomain-vm: KEY VALUE" reports as they come, and writes lines to the guest's console.
/// QEMU runs under strace, tracing only access(2), which is how QEMU looks for its loadable
/// modules: <see cref="ModuleLookups"/> is every module path it tried.
/// </summary>
public sealed partial class GuestMachine : IDisposable
{
    public const string ReportPrefix = "crossdomain-vm: ";

    private readonly Process _qemu;
    private readonly string _traceFile;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _serialLines = [];
    private readonly List<(string Key, string Value)> _reports = [];
    private readonly SemaphoreSlim _reported = new(0);

    private GuestMachine(Process qemu, string traceFile, string commandLine)
    {
        _qemu = qemu;
        _traceFile = traceFile;
        CommandLine = commandLine;
        _qemu.OutputDataReceived += (_, line) => AppendSerial(line.Data);
        _qemu.ErrorDataReceived += (_, line) => AppendSerial(line.Data);
        _qemu.BeginOutputReadLine();
        _qemu.BeginErrorReadLine();
    }

    /// <summary>QEMU's arguments after the firmware folders, quoted for a shell.</summary>
    public string CommandLine { get; }

    public int ProcessId => _qemu.Id;

    public string Serial { get { lock (_serialLines) return string.Join('\n', _serialLines); } }

    /// <summary>Every report, in the order the guest made them.</summary>
    public IReadOnlyList<(string Key, string Value)> Reports
    {
        get { lock (_serialLines) return _reports.ToArray(); }
    }

    /// <summary>The last value of each key the guest reported.</summary>
    public IReadOnlyDictionary<string, string> Report
    {
        get { lock (_serialLines) return _reports.GroupBy(report => report.Key).ToDictionary(group => group.Key, group => group.Last().Value); }
    }

    /// <summary>From QEMU's start to the guest's "done" line.</summary>
    public TimeSpan BootTime { get; private set; }

    /// <summary>
    /// Boots. <paramref name="device"/> is the -device value of the GPU on the chardev "gpu".
    /// </summary>
    public static GuestMachine Boot(QemuBuild qemu, VmImages images, string socket, string device, string kernelArguments, string workDirectory)
    {
        string traceFile = Path.Combine(workDirectory, "qemu-access.trace");
        var start = new ProcessStartInfo("strace")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-f", "--seccomp-bpf", "-qq", "-e", "trace=access", "-o", traceFile })
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in qemu.Environment) start.Environment[name] = value;
        foreach (string argument in qemu.Command) start.ArgumentList.Add(argument);
        int qemuArguments = start.ArgumentList.Count;
        foreach (string directory in qemu.FirmwareDirectories)
        {
            start.ArgumentList.Add("-L");
            start.ArgumentList.Add(directory);
        }
        string[] arguments =
        [
            "-machine", "q35,accel=tcg", "-m", "1024",
            // vhost-user needs guest RAM the back-end can map: a shared memfd.
            "-object", "memory-backend-memfd,id=mem,size=1G,share=on", "-machine", "memory-backend=mem",
            "-chardev", $"socket,id=gpu,path={socket}", "-device", device,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on",
            "-kernel", images.Kernel, "-initrd", images.Initramfs,
            "-append", $"console=ttyS0 panic=-1 {kernelArguments}",
            "-nographic", "-no-reboot",
            // No audio back-end to probe: QEMU would look for each one's module, and where the
            // system has a QEMU of its own it finds that build's modules, which abort this one.
            "-audiodev", "none,id=no-audio",
        ];
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        string commandLine = string.Join(' ', start.ArgumentList.Skip(qemuArguments).Select(argument => argument.Contains(' ', StringComparison.Ordinal) ? $"'{argument}'" : argument));
        return new GuestMachine(Process.Start(start)!, traceFile, commandLine);
    }

    /// <summary>Waits for the guest to report <paramref name="key"/> (with a value starting with <paramref name="valuePrefix"/>); its value.</summary>
    public async Task<string> WaitForReportAsync(string key, string valuePrefix, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        int seen = 0;
        while (true)
        {
            lock (_serialLines)
            {
                for (; seen < _reports.Count; seen++)
                    if (_reports[seen].Key == key && _reports[seen].Value.StartsWith(valuePrefix, StringComparison.Ordinal))
                        return _reports[seen].Value;
            }
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero && !_qemu.HasExited,
                $"the guest did not report \"{key} {valuePrefix}\" {(_qemu.HasExited ? "before QEMU exited" : $"within {patience}")}; serial console:\n{Serial}");
            await _reported.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Waits for the guest to report <paramref name="app"/> running, then for its window to animate on <paramref name="weston"/>.</summary>
    public async Task<Support.AnimatedWindow> WaitForAnimatedWindowAsync(Support.HeadlessWeston weston, string app, TimeSpan guestPatience, TimeSpan windowPatience, int minimumWidth = 101)
    {
        await WaitForReportAsync("app-running", app, guestPatience);
        return Support.AnimatedWindow.WaitFor(weston, windowPatience, () => { }, $"{app} in the guest", minimumWidth);
    }

    /// <summary>
    /// weston-simple-damage in the guest, once it draws on <paramref name="weston"/>: frames for a
    /// few seconds (the time is the workload, not a wait for something), then stopped; its
    /// proxy's log line then says what they damaged and cost.
    /// </summary>
    public async Task RunSimpleDamageAsync(Support.HeadlessWeston weston, TimeSpan guestPatience, TimeSpan windowPatience)
    {
        await WaitForAnimatedWindowAsync(weston, "weston-simple-damage", guestPatience, windowPatience, minimumWidth: 1);
        await Task.Delay(TimeSpan.FromSeconds(3));
        SendLine("next");
    }

    /// <summary>Waits for a console line that <paramref name="matches"/> (an app's live output, which guest-apps.sh prefixes with its name).</summary>
    public async Task WaitForLineAsync(Func<string, bool> matches, string description, TimeSpan patience)
    {
        bool seen = await TryWaitForLineAsync(matches, patience);
        Assert.True(seen, $"the guest's console showed no {description} {(_qemu.HasExited ? "before QEMU exited" : $"within {patience}")}; serial console:\n{Serial}");
    }

    /// <summary>Whether a console line that <paramref name="matches"/> came (or had come) within <paramref name="patience"/>.</summary>
    public async Task<bool> TryWaitForLineAsync(Func<string, bool> matches, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        int seen = 0;
        while (true)
        {
            lock (_serialLines)
            {
                for (; seen < _serialLines.Count; seen++)
                    if (matches(_serialLines[seen])) return true;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _qemu.HasExited) return false;
            await _reported.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A line on the guest's console input (guest-apps.sh waits for one to stop an app).</summary>
    public void SendLine(string line)
    {
        _qemu.StandardInput.Write(line + "\n");
        _qemu.StandardInput.Flush();
    }

    /// <summary>Waits for the guest to power off; QEMU's exit code. Kills it past <paramref name="patience"/> and fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"QEMU did not power off within {patience}; serial console:\n{Serial}");
        }
        return _qemu.ExitCode;
    }

    public void Kill()
    {
        if (_qemu.HasExited) return;
        _qemu.Kill(entireProcessTree: true);
        _qemu.WaitForExit();
    }

    /// <summary>Every loadable-module path QEMU looked for (read once it has exited).</summary>
    public IReadOnlyList<string> ModuleLookups() =>
        File.Exists(_traceFile)
            ? File.ReadLines(_traceFile)
                .Select(line => line.Split('"'))
                .Where(parts => parts.Length >= 2 && parts[1].EndsWith(".so", StringComparison.Ordinal) && parts[1].Contains("/qemu/", StringComparison.Ordinal))
                .Select(parts => parts[1])
                .ToList()
            : [];

    public void Dispose()
    {
        Kill();
        _qemu.Dispose();
        _reported.Dispose();
    }

    private void AppendSerial(string? line)
    {
        if (line is null) return;
        lock (_serialLines)
        {
            _serialLines.Add(line);
            if (line.StartsWith(ReportPrefix, StringComparison.Ordinal))
            {
                // The kernel's console messages may land inside a report's line, before its newline.
                var kernelMessage = KernelMessage().Match(line);
                string report = kernelMessage.Success ? line[ReportPrefix.Length..kernelMessage.Index] : line[ReportPrefix.Length..];
                string[] pair = report.Split(' ', 2);
                _reports.Add((pair[0], pair.ElementAtOrDefault(1)?.Trim() ?? ""));
                if (pair[0] == "done") BootTime = _clock.Elapsed;
            }
        }
        _reported.Release();
    }

    // printk's timestamp, "[   38.659072] ".
    [GeneratedRegex(@"\[\s*\d+\.\d{6}\]")]
    private static partial Regex KernelMessage();
}

/// <summary>How to start one of the tier's QEMU builds: the command (a loader and its library path, or the binary), its environment, its firmware.</summary>
public sealed record QemuBuild(IReadOnlyList<string> Command, IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> FirmwareDirectories, string ModuleDirectory);

using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Deploy;

/// <summary>
/// The README's run command, <c>./run.sh</c>, as a newcomer runs it but without installing or building
/// (this test's build has built both executables in its own configuration): with no WAYLAND_DISPLAY it
/// starts a private headless weston, the host service and the proxy, shows weston-simple-shm through
/// the bridge in a screenshot, and stops all of it, on its own or on Ctrl-C.
/// </summary>
public sealed partial class RunScriptTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>weston-simple-shm's window is 250x250; most of it (all but the cross, which it leaves transparent) is not desktop.</summary>
    private const int LeastAppPixels = 200 * 200;

    /// <summary>desktop-shell's panel across the top of the output, which is not background either.</summary>
    private const int PanelHeight = 32;

    [Fact]
    public async Task Screenshot_and_exit_saves_the_app_on_the_desktop_exits_0_and_leaves_nothing_running()
    {
        using var run = new RunScript();
        string screenshotPath = Path.Join(run.TemporaryDirectory, "screenshot.png");
        run.Launch("--screenshot", screenshotPath, "--screenshot-and-exit", "--", "weston-simple-shm");

        int exitCode = await run.WaitForExitAsync(Patience);
        output.WriteLine(run.Transcript);

        Assert.True(exitCode == 0, $"run.sh exited with {exitCode}");
        // The build the other tests start is the one run.sh ran.
        string host = BuiltExecutable.UseNative ? "artifacts/native/crossdomain-host" : $"dotnet host/bin/{BuildConfiguration}/net10.0/crossdomain-host.dll";
        Assert.Contains(run.OutputLines, line => line.StartsWith($"==> starting {host} on ", StringComparison.Ordinal));
        Assert.Contains($"==> screenshot: {screenshotPath}", run.OutputLines);
        var screenshot = PngImage.Read(screenshotPath);
        int appPixels = PixelsUnlikeTheBackground(screenshot);
        output.WriteLine($"{screenshot.Width}x{screenshot.Height}, {appPixels} pixels unlike the background");
        Assert.True(appPixels >= LeastAppPixels, $"only {appPixels} pixels of the screenshot differ from the desktop's background");
        AssertNothingLeft(run);
    }

    [SkippableTheory]
    [InlineData("vhost-user-test-device-pci")]
    [InlineData("vhost-user-gpu-pci")]
    public async Task With_vm_the_app_runs_in_a_qemu_guest_and_reaches_the_screenshot_and_the_guest_powers_off(string device)
    {
        // The tier's images, fetched (and for the dedicated device built) once per test run; the
        // test skips only where they cannot be fetched.
        var (_, skipReason) = device == "vhost-user-gpu-pci"
            ? await VirtualMachine.VmImages.GetWithPatchedQemuAsync()
            : await VirtualMachine.VmImages.GetAsync();
        Skip.If(skipReason is not null, skipReason);
        using var run = new RunScript();
        string screenshotPath = Path.Join(run.TemporaryDirectory, "screenshot.png");
        run.Launch("--vm", "--vm-device", device, "--accel", "tcg", "--screenshot", screenshotPath, "--screenshot-and-exit", "--", "weston-simple-shm");

        int exitCode = await run.WaitForExitAsync(TimeSpan.FromMinutes(6));
        output.WriteLine(run.Transcript);

        Assert.True(exitCode == 0, $"run.sh exited with {exitCode}");
        Assert.Contains(run.OutputLines, line => line.StartsWith("==> the guest runs weston-simple-shm: proxy listening", StringComparison.Ordinal));
        Assert.Contains($"==> screenshot: {screenshotPath}", run.OutputLines);
        int appPixels = PixelsUnlikeTheBackground(PngImage.Read(screenshotPath));
        Assert.True(appPixels >= LeastAppPixels, $"only {appPixels} pixels of the screenshot differ from the desktop's background");
        // QEMU exited by itself: the guest stopped the app and its proxy and powered off.
        Assert.Contains("==> the guest powered off", run.OutputLines);
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task Ctrl_C_while_the_app_runs_stops_everything_and_exits_130()
    {
        using var run = new RunScript();
        run.Launch("--", "weston-simple-shm");

        // The screenshot line says the app has drawn: the bridge is up and carrying it.
        bool drawn = await run.WaitForLineAsync(line => line.StartsWith("==> screenshot: ", StringComparison.Ordinal), Patience);
        Assert.True(drawn, $"run.sh never reported a screenshot:\n{run.Transcript}");
        Assert.False(run.Process.HasExited, "run.sh exited before it was interrupted");
        // Twice in a row, as an impatient user (or timeout(1), which signals the script and its group) does:
        // the second must not cut the cleanup the first started.
        Assert.Equal(0, Tmds.Linux.LibC.kill(run.Process.Id, Tmds.Linux.LibC.SIGINT));
        Thread.Sleep(50);
        Tmds.Linux.LibC.kill(run.Process.Id, Tmds.Linux.LibC.SIGINT);

        int exitCode = await run.WaitForExitAsync(Patience);
        output.WriteLine(run.Transcript);

        Assert.True(exitCode == 130, $"run.sh exited with {exitCode} after SIGINT");
        AssertNothingLeft(run);
    }

    /// <summary>
    /// No process of the groups the script started (it prints each leader's pid, and each server leads
    /// its own group) is left, and its private folder is gone. Zombies are not counted: where PID 1 does
    /// not reap orphans (these test machines), a weston helper that outlives weston by a moment stays
    /// one, though nothing of it runs.
    /// </summary>
    private static void AssertNothingLeft(RunScript run)
    {
        var groups = run.StartedProcessGroups();
        Assert.True(groups.Count == 3, $"run.sh printed {groups.Count} pids, not weston's, the host's and the proxy's (or QEMU's):\n{run.Transcript}");
        var left = LiveProcessesIn(groups);
        Assert.True(left.Count == 0, $"still running from run.sh: {string.Join("; ", left)}");
        Assert.Empty(Directory.GetDirectories(run.TemporaryDirectory, "crossdomain-run.*"));
    }

    private static List<string> LiveProcessesIn(IReadOnlySet<int> groups)
    {
        var live = new List<string>();
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Join(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // gone while we looked
            }
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
            int commEnd = stat.LastIndexOf(')');
            string[] fields = stat[(commEnd + 2)..].Split(' ');
            char state = fields[0][0];
            int processGroup = int.Parse(fields[2]);
            if (groups.Contains(processGroup) && state != 'Z')
                live.Add($"{pid} {stat[(stat.IndexOf('(') + 1)..commEnd]} (group {processGroup}, state {state})");
        }
        return live;
    }

    /// <summary>Pixels below the panel whose colour is not the desktop's (the most common colour there).</summary>
    private static int PixelsUnlikeTheBackground(Screenshot screenshot)
    {
        var counts = new Dictionary<uint, int>();
        for (int y = PanelHeight; y < screenshot.Height; y++)
            for (int x = 0; x < screenshot.Width; x++)
                counts[screenshot[x, y]] = counts.GetValueOrDefault(screenshot[x, y]) + 1;
        int background = counts.Values.Max();
        return (screenshot.Height - PanelHeight) * screenshot.Width - background;
    }

    /// <summary>One run of run.sh, its output collected line by line, in private temporary folders.</summary>
    private sealed partial class RunScript : IDisposable
    {
        private readonly List<string> _lines = [];
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<bool> Seen)> _waiters = [];
        private readonly DirectoryInfo _temporary = Directory.CreateTempSubdirectory("crossdomain-runsh-");
        private readonly DirectoryInfo _runtime = Directory.CreateTempSubdirectory("crossdomain-runsh-xdg-");

        public RunScript()
        {
            File.SetUnixFileMode(_runtime.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public Process Process { get; private set; } = null!;

        /// <summary>The script's TMPDIR: its private folder goes here, and so may its screenshot.</summary>
        public string TemporaryDirectory => _temporary.FullName;

        public IReadOnlyList<string> OutputLines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public string Transcript => string.Join('\n', OutputLines);

        /// <summary>
        /// Starts <c>run.sh --no-install --no-build</c> on the native binaries, or with
        /// <c>--framework-dependent --configuration C</c> on this build's dlls (as <see cref="BuiltExecutable"/>
        /// picks), followed by <paramref name="arguments"/>.
        /// </summary>
        public void Launch(params string[] arguments)
        {
            string[] build = BuiltExecutable.UseNative ? [] : ["--framework-dependent", "--configuration", BuildConfiguration];
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepositoryRoot,
            };
            foreach (string argument in (string[])[Path.Join(RepositoryRoot, "run.sh"), "--no-install", "--no-build", .. build, .. arguments])
                start.ArgumentList.Add(argument);
            // With no compositor named, the script starts its own; none of the runner's settings may leak in.
            foreach (string name in start.Environment.Keys.Where(name => name.StartsWith("CROSSDOMAIN_", StringComparison.Ordinal)).ToArray())
                start.Environment.Remove(name);
            start.Environment.Remove("WAYLAND_DISPLAY");
            start.Environment.Remove("WAYLAND_SOCKET");
            start.Environment.Remove("DISPLAY");
            start.Environment["TMPDIR"] = TemporaryDirectory;
            start.Environment["XDG_RUNTIME_DIR"] = _runtime.FullName;

            Process = new Process { StartInfo = start };
            Process.OutputDataReceived += (_, line) => Add(line.Data);
            Process.ErrorDataReceived += (_, line) => Add(line.Data is null ? null : "stderr: " + line.Data);
            Process.Start();
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await Process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                // Its own cleanup first, as Ctrl-C would; the test fails either way.
                Tmds.Linux.LibC.kill(Process.Id, Tmds.Linux.LibC.SIGTERM);
                Process.WaitForExit(TimeSpan.FromSeconds(20));
                Assert.Fail($"run.sh did not exit within {timeout}:\n{Transcript}");
            }
            return Process.ExitCode;
        }

        /// <returns>false when the script ended or <paramref name="timeout"/> passed without such a line.</returns>
        public async Task<bool> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                if (_lines.Any(match)) return true;
                _waiters.Add((match, seen));
            }
            var exited = Process.WaitForExitAsync();
            var finished = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
            return finished == seen.Task || _lines.Any(match);
        }

        /// <summary>The pids of the "weston pid N", "crossdomain-host pid N" and "crossdomain-proxy pid N" lines: each leads a process group.</summary>
        public IReadOnlySet<int> StartedProcessGroups() =>
            OutputLines.Select(line => StartedLine().Match(line)).Where(match => match.Success)
                .Select(match => int.Parse(match.Groups[1].Value)).ToHashSet();

        public void Dispose()
        {
            if (Process is { } process)
            {
                if (!process.HasExited)
                {
                    Tmds.Linux.LibC.kill(process.Id, Tmds.Linux.LibC.SIGTERM);
                    process.WaitForExit(TimeSpan.FromSeconds(20));
                }
                // A test that failed may have left some of them; the next test must not meet them.
                foreach (int group in StartedProcessGroups())
                    Tmds.Linux.LibC.kill(-group, Tmds.Linux.LibC.SIGKILL);
                process.Dispose();
            }
            _temporary.Delete(recursive: true);
            _runtime.Delete(recursive: true);
        }

        private void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(waiter => waiter.Match(line)).ToArray())
                {
                    waiter.Seen.TrySetResult(true);
                    _waiters.Remove(waiter);
                }
            }
        }

        [GeneratedRegex(@"^(?:weston|crossdomain-host|crossdomain-proxy|qemu) pid (\d+)$")]
        private static partial Regex StartedLine();
    }

    /// <summary>The configuration this assembly was built in, and so the one whose host and proxy builds exist.</summary>
    private static string BuildConfiguration =>
        typeof(RunScriptTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "Configuration").Value!;

    internal static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Join(directory.FullName, "run.sh")) && File.Exists(Path.Join(directory.FullName, "CrossDomain.sln")))
                    return directory.FullName;
            }
            throw new InvalidOperationException($"no repository root (with run.sh and CrossDomain.sln) above {AppContext.BaseDirectory}");
        }
    }
}

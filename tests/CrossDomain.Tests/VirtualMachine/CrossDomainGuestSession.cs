using CrossDomain.Tests.Bridge;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// The product's own path, once per test run: a Linux guest (Debian's 6.1 kernel under QEMU 11.1,
/// TCG) whose virtio_gpu driver negotiates blobs, context init and the host-visible window from
/// crossdomain-host through QEMU's generic vhost-user-test-device-pci; in the guest, our
/// crossdomain-proxy with the systemd unit's command line (--transport kernel) on its render node,
/// and Debian's wayland-info and weston-simple-shm from the host's root connected to it; on the
/// host, a private headless weston the apps must appear on. What the tests check is gathered here,
/// while the guest runs: the window on the host's screen, then the host service after the guest
/// is killed.
/// </summary>
public sealed class CrossDomainGuestSession : IAsyncLifetime
{
    /// <summary>The generic vhost-user device as a virtio-gpu (device id 16): a control and a cursor queue, the 16-byte config.</summary>
    private const string Device = "vhost-user-test-device-pci,chardev=gpu,virtio-id=16,num_vqs=2,config_size=16";
    private static readonly TimeSpan GuestPatience = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan WindowPatience = TimeSpan.FromSeconds(90);

    private DirectoryInfo? _directory;

    public string? SkipReason { get; private set; }

    public string CommandLine { get; private set; } = "";

    public string Serial { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Report { get; private set; } = new Dictionary<string, string>();

    public string HostLog { get; private set; } = "";

    public IReadOnlyList<AnnouncedGlobal> GuestGlobals { get; private set; } = [];

    public IReadOnlyList<AnnouncedGlobal> LocalModeGlobals { get; private set; } = [];

    public AnimatedWindow DirectWindow { get; private set; }

    public AnimatedWindow GuestWindow { get; private set; }

    /// <summary>The host's fds (number → what it is) before the guest connected, and once it was killed and its session gone.</summary>
    public IReadOnlyDictionary<int, string> HostFdsBefore { get; private set; } = new Dictionary<int, string>();

    public IReadOnlyDictionary<int, string> HostFdsAfter { get; private set; } = new Dictionary<int, string>();

    /// <summary>wayland-info in local mode against the same host service, after the guest was killed.</summary>
    public ExecutableProcess.Result? AfterGuest { get; private set; }

    public bool HostAliveAfterGuest { get; private set; }

    public async Task InitializeAsync()
    {
        var (images, skipReason) = await VmImages.GetAsync();
        if (images is null)
        {
            SkipReason = skipReason;
            return;
        }
        _directory = Directory.CreateTempSubdirectory("crossdomain-guest-");
        string socket = Path.Combine(_directory.FullName, "gpu.sock");
        using var weston = HeadlessWeston.Start(width: 640, height: 480, debug: true);
        AnimatedWindow.WaitUntilSettled(weston, TimeSpan.FromSeconds(30));
        DirectWindow = BridgedSimpleShmTests.ObserveAnimatedWindow(weston, weston.ApplyTo);
        using (var localBridge = BridgedProxy.Start(weston))
            LocalModeGlobals = WaylandInfo.ListGlobals(localBridge.ApplyTo);

        using var host = await HostServiceProcess.StartAsync(socket, weston.SocketPath, _directory.FullName);
        try
        {
            // One session of local mode first: the fds the runtime opens lazily (its threads'
            // pipes, the loop's) are then open before the count is taken.
            await ListGlobalsInLocalModeAsync(socket);
            var fdsBefore = host.OpenFds();
            string apps = string.Join(',', Path.Combine(VmImages.RepositoryRoot(), "deploy", "vm", "guest-apps.sh"),
                GuestProxy(), "wayland-info", "weston-simple-shm");
            using (var guest = GuestMachine.Boot(images.Qemu11, images, socket, Device, $"crossdomain.apps={apps}", _directory.FullName))
            {
                CommandLine = guest.CommandLine;
                try
                {
                    await guest.WaitForReportAsync("app-exit", "wayland-info ", GuestPatience);
                    await guest.WaitForReportAsync("app-running", "weston-simple-shm", GuestPatience);
                    GuestWindow = AnimatedWindow.WaitFor(weston, WindowPatience, () => { }, "weston-simple-shm in the guest");
                    guest.SendLine("next");
                    await guest.WaitForReportAsync("apps-done", "", GuestPatience);
                    // The client is gone; the guest goes now, its proxy's context still open.
                    guest.Kill();
                }
                finally
                {
                    guest.Kill();
                    Serial = guest.Serial;
                    Report = guest.Report;
                    GuestGlobals = WaylandInfo.ParseGlobals(string.Join('\n', Serial.Split('\n')
                        .Where(line => line.StartsWith("wayland-info| ", StringComparison.Ordinal))
                        .Select(line => line["wayland-info| ".Length..])));
                }
            }

            // The back-end notices the front-end's socket close on its own loop.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (host.OpenFds().Count > fdsBefore.Count && DateTime.UtcNow < deadline) await Task.Delay(100);
            HostFdsBefore = fdsBefore;
            HostFdsAfter = host.OpenFds();
            AfterGuest = await ListGlobalsInLocalModeAsync(socket);
            HostAliveAfterGuest = !host.HasExited;
        }
        finally
        {
            await host.StopAsync();
            HostLog = host.Log;
        }
    }

    /// <summary>The proxy the guest runs from the 9p root: the native binary when the tests run the native build (no runtime to JIT under TCG), else the dll, which guest-apps.sh runs with dotnet.</summary>
    private static string GuestProxy() =>
        BuiltExecutable.UseNative ? BuiltExecutable.Native("crossdomain-proxy").FileName : ExecutableProcess.FrameworkDependent("crossdomain-proxy").LeadingArguments[0];

    private Task<ExecutableProcess.Result> ListGlobalsInLocalModeAsync(string socket) =>
        ExecutableProcess.RunAsync("crossdomain-proxy", new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = _directory!.FullName },
            "run", "--host-socket", socket, "--", "wayland-info");

    public Task DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

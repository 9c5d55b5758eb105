using System.Diagnostics;
using CrossDomain.Tests.Bridge;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// The product's own path, once per test run: a Linux guest (Debian's 6.1 kernel under QEMU 11.1,
/// TCG) whose virtio_gpu driver negotiates blobs, context init and the host-visible window from
/// crossdomain-host through QEMU's generic vhost-user-test-device-pci; in the guest, our
/// crossdomain-proxy with the systemd unit's command line (--transport kernel) on its render node,
/// and Debian's clients from the host's root connected to it: wayland-info, weston-simple-shm, a
/// GTK4 app (tests/clients/gtk4-swatch.py), weston-simple-damage, wev, wl-copy and wl-paste. On
/// the host, a private weston with a seat (its x11 backend in Xvfb) the apps must appear on, and
/// xdotool and wl-clipboard as the host user's side of typing and copy and paste. What the tests
/// check is gathered here, while the guest runs: the windows on the host's screen, the keys and
/// the clipboard, then the host service after the guest is killed.
/// </summary>
public sealed class CrossDomainGuestSession : IAsyncLifetime
{
    /// <summary>The generic vhost-user device as a virtio-gpu (device id 16): a control and a cursor queue, the 16-byte config.</summary>
    private const string Device = "vhost-user-test-device-pci,chardev=gpu,virtio-id=16,num_vqs=2,config_size=16";
    private static readonly TimeSpan GuestPatience = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan WindowPatience = TimeSpan.FromSeconds(90);
    public const string TypedText = "crossdomain";
    private const string TextMime = "text/plain;charset=utf-8";

    private DirectoryInfo? _directory;

    public string? SkipReason { get; private set; }

    public string CommandLine { get; private set; } = "";

    public string Serial { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Report { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<(string Key, string Value)> Reports { get; private set; } = [];

    public string HostLog { get; private set; } = "";

    public IReadOnlyList<AnnouncedGlobal> GuestGlobals { get; private set; } = [];

    public IReadOnlyList<AnnouncedGlobal> LocalModeGlobals { get; private set; } = [];

    public AnimatedWindow DirectWindow { get; private set; }

    public AnimatedWindow GuestWindow { get; private set; }

    public SwatchWindow? DirectSwatch { get; private set; }

    /// <summary>weston-simple-egl's triangle run directly (Mesa's software rasteriser into wl_shm) and from the guest (virgl, dma-bufs), with the colours seen in it.</summary>
    public (AnimatedWindow Window, TriangleColours Colours) DirectEgl { get; private set; }

    public (AnimatedWindow Window, TriangleColours Colours)? GuestEgl { get; private set; }

    public SwatchWindow? GuestSwatch { get; private set; }

    /// <summary>What the host's wl-paste got while the guest's wl-copy held the selection.</summary>
    public byte[]? PastedOnHost { get; private set; }

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
        using var weston = HeadlessWeston.StartWithSeat(width: 640, height: 480, debug: true);
        // Xvfb starts its pointer in the middle of the screen, and weston draws it into every
        // screenshot: over the panel it covers no window.
        XdoTool(weston, "mousemove", "0", "0");
        AnimatedWindow.WaitUntilSettled(weston, TimeSpan.FromSeconds(30));
        DirectWindow = BridgedSimpleShmTests.ObserveAnimatedWindow(weston, weston.ApplyTo);
        DirectSwatch = SwatchWindow.Observe(weston, weston.ApplyTo, WindowPatience);
        DirectEgl = ObserveDirectEgl(weston);
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
                GuestProxy(), "wayland-info", "weston-simple-shm", SwatchWindow.Script, "weston-simple-egl", "weston-simple-damage", "wev", "copy-text", "paste-text");
            using (var guest = GuestMachine.Boot(images.Qemu11, images, socket, Device, $"crossdomain.apps={apps}", _directory.FullName))
            {
                CommandLine = guest.CommandLine;
                try
                {
                    await guest.WaitForReportAsync("app-exit", "wayland-info ", GuestPatience);
                    GuestWindow = await guest.WaitForAnimatedWindowAsync(weston, "weston-simple-shm", GuestPatience, WindowPatience);
                    guest.SendLine("next");

                    await guest.WaitForReportAsync("app-running", "gtk4-swatch.py", GuestPatience);
                    GuestSwatch = SwatchWindow.WaitFor(weston, GuestPatience, () => { }, "gtk4-swatch.py in the guest");
                    guest.SendLine("next");

                    // GL on Mesa's virgl in the guest, its buffers dma-bufs of the guest's resources.
                    await guest.WaitForReportAsync("app-running", "weston-simple-egl", GuestPatience);
                    GuestEgl = WaitForTriangle(weston, () => { }, "weston-simple-egl in the guest");
                    guest.SendLine("next");

                    await guest.RunSimpleDamageAsync(weston, GuestPatience, WindowPatience);

                    // wev's window gets keyboard focus from a click, as a host user would give it
                    // (desktop-shell activates a new toplevel only when nothing else has focus); the
                    // keys then go in at the X server weston's x11 backend reads. Its window fills
                    // the output: a click in the middle lands on it once it is mapped.
                    await guest.WaitForReportAsync("app-running", "wev", GuestPatience);
                    static bool WevFocused(string line) => line.StartsWith("wev| ", StringComparison.Ordinal) && line.Contains("wl_keyboard] enter", StringComparison.Ordinal);
                    var focusDeadline = DateTime.UtcNow + WindowPatience;
                    while (!await guest.TryWaitForLineAsync(WevFocused, TimeSpan.FromSeconds(3)))
                    {
                        Assert.True(DateTime.UtcNow < focusDeadline, $"wev in the guest never got keyboard focus; serial console:\n{guest.Serial}");
                        XdoTool(weston, "mousemove", "320", "240", "click", "1");
                    }
                    XdoTool(weston, "type", "--delay", "100", TypedText);
                    await guest.WaitForLineAsync(line => line.StartsWith("wev| ", StringComparison.Ordinal) && line.Contains($"utf8: '{TypedText[^1]}'", StringComparison.Ordinal),
                        $"the last typed key in wev", WindowPatience);
                    guest.SendLine("next");

                    await guest.WaitForReportAsync("copied", "", GuestPatience);
                    PastedOnHost = await PasteOnHostAsync(weston);

                    await guest.WaitForReportAsync("paste-ready", "", GuestPatience);
                    using (var hostCopy = CopyOnHost(weston, ClipboardText("host")))
                    {
                        // The guest must paste the host's selection, not what it copied itself.
                        var selectionDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                        while (!(await PasteOnHostAsync(weston)).AsSpan().SequenceEqual(ClipboardText("host")))
                        {
                            Assert.True(DateTime.UtcNow < selectionDeadline, "the host's wl-copy never took the selection");
                            await Task.Delay(200);
                        }
                        guest.SendLine("paste");
                        await guest.WaitForReportAsync("pasted", "", GuestPatience);
                        hostCopy.Kill();
                    }
                    await guest.WaitForReportAsync("apps-done", "", GuestPatience);
                    // The client is gone; the guest goes now, its proxy's context still open.
                    guest.Kill();
                }
                finally
                {
                    guest.Kill();
                    Serial = guest.Serial;
                    Report = guest.Report;
                    Reports = guest.Reports;
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

    private static (AnimatedWindow, TriangleColours) ObserveDirectEgl(HeadlessWeston weston)
    {
        var start = new ProcessStartInfo("weston-simple-egl") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        weston.ApplyTo(start);
        // The swatch window before it fades out as it closes, which would count as animated.
        AnimatedWindow.WaitUntilSettled(weston, TimeSpan.FromSeconds(30));
        using var client = Process.Start(start)!;
        try
        {
            return WaitForTriangle(weston, () =>
            {
                if (client.HasExited) Assert.Fail($"weston-simple-egl exited with {client.ExitCode}: {client.StandardError.ReadToEnd()}");
            }, "weston-simple-egl");
        }
        finally
        {
            client.Kill();
            client.WaitForExit();
        }
    }

    /// <summary>
    /// What animates on the output, once it shows the triangle's colours: until then it may be the
    /// window closed before it, fading out. The last look when the triangle never comes.
    /// </summary>
    private static (AnimatedWindow, TriangleColours) WaitForTriangle(HeadlessWeston weston, Action checkClient, string client)
    {
        var deadline = DateTime.UtcNow + WindowPatience;
        while (true)
        {
            var window = AnimatedWindow.WaitFor(weston, WindowPatience, checkClient, client, minimumWidth: 1);
            var colours = TriangleColours.In(WestonOutputCapture.Capture(weston), window);
            if (colours.HasAll || DateTime.UtcNow > deadline) return (window, colours);
        }
    }

    /// <summary>The proxy the guest runs from the 9p root: the native binary when the tests run the native build (no runtime to JIT under TCG), else the dll, which guest-apps.sh runs with dotnet.</summary>
    public static string GuestProxy() =>
        BuiltExecutable.UseNative ? BuiltExecutable.Native("crossdomain-proxy").FileName : ExecutableProcess.FrameworkDependent("crossdomain-proxy").LeadingArguments[0];

    /// <summary>The bytes guest-apps.sh's clipboard_text makes for <paramref name="prefix"/>: 10 KiB of numbered lines.</summary>
    public static byte[] ClipboardText(string prefix)
    {
        var text = new System.Text.StringBuilder();
        for (int line = 0; line < 400; line++) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{prefix} line {line:D5} of the copied text\n");
        return System.Text.Encoding.ASCII.GetBytes(text.ToString(0, 10240));
    }

    /// <summary>
    /// xdotool on weston's X display, as the host's user at the keyboard and mouse. Xvfb has no window
    /// manager: X focus follows the pointer, which is always inside weston's one full-screen window.
    /// </summary>
    private static void XdoTool(HeadlessWeston weston, params string[] arguments)
    {
        var start = new ProcessStartInfo("xdotool") { UseShellExecute = false, RedirectStandardError = true };
        start.Environment["DISPLAY"] = weston.XDisplay!;
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var xdotool = Process.Start(start)!;
        string error = xdotool.StandardError.ReadToEnd();
        xdotool.WaitForExit();
        Assert.True(xdotool.ExitCode == 0, $"xdotool {string.Join(' ', arguments)} exited with {xdotool.ExitCode}: {error}");
    }

    /// <summary>wl-paste run directly on weston: the selection as the host's own clients see it.</summary>
    private static async Task<byte[]> PasteOnHostAsync(HeadlessWeston weston)
    {
        var start = new ProcessStartInfo("wl-paste") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "--no-newline", "--type", TextMime } };
        weston.ApplyTo(start);
        using var paste = Process.Start(start)!;
        using var pasted = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await paste.StandardOutput.BaseStream.CopyToAsync(pasted, timeout.Token);
        await paste.WaitForExitAsync(timeout.Token);
        Assert.True(paste.ExitCode == 0, $"wl-paste on the host exited with {paste.ExitCode}: {await paste.StandardError.ReadToEndAsync()}");
        return pasted.ToArray();
    }

    /// <summary>wl-copy run directly on weston, in the foreground: it serves the selection until it is killed.</summary>
    private static Process CopyOnHost(HeadlessWeston weston, byte[] text)
    {
        var start = new ProcessStartInfo("wl-copy") { UseShellExecute = false, RedirectStandardInput = true, ArgumentList = { "--foreground", "--type", TextMime } };
        weston.ApplyTo(start);
        var copy = Process.Start(start)!;
        copy.StandardInput.BaseStream.Write(text);
        copy.StandardInput.Close();
        return copy;
    }

    private Task<ExecutableProcess.Result> ListGlobalsInLocalModeAsync(string socket) =>
        ExecutableProcess.RunAsync("crossdomain-proxy", new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = _directory!.FullName },
            "run", "--host-socket", socket, "--", "wayland-info");

    public Task DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// weston-simple-egl's triangle blends red, green and blue from its corners: the pixels of an area
/// in which each of the three is the clearly strongest channel. A window that shows only its clear
/// colour (a draw the renderer dropped) has none.
/// </summary>
public readonly record struct TriangleColours(int Red, int Green, int Blue)
{
    public bool HasAll => Red > 0 && Green > 0 && Blue > 0;

    public static TriangleColours In(Screenshot shot, AnimatedWindow area)
    {
        int red = 0, green = 0, blue = 0;
        for (int y = area.Y; y < area.Y + area.Height; y++)
            for (int x = area.X; x < area.X + area.Width; x++)
            {
                uint pixel = shot[x, y];
                int r = (int)(pixel >> 16 & 0xff), g = (int)(pixel >> 8 & 0xff), b = (int)(pixel & 0xff);
                if (r > 0x80 && r > 2 * g && r > 2 * b) red++;
                else if (g > 0x80 && g > 2 * r && g > 2 * b) green++;
                else if (b > 0x80 && b > 2 * r && b > 2 * g) blue++;
            }
        return new TriangleColours(red, green, blue);
    }
}

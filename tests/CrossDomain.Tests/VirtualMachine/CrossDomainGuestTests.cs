using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// Apps in a real guest reach the host compositor: the guest's kernel driver, our proxy on its
/// render node (the kernel transport), QEMU 11.1's generic vhost-user device and our host service
/// (<see cref="CrossDomainGuestSession"/>).
/// </summary>
public sealed partial class CrossDomainGuestTests(CrossDomainGuestSession session, ITestOutputHelper output) : IClassFixture<CrossDomainGuestSession>
{
    [SkippableFact]
    public void The_guest_negotiates_blobs_context_init_and_host_visible_memory()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        string[] features = Reported("features").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (string feature in new[] { "+virgl", "+resource_blob", "+host_visible", "+context_init" })
            Assert.Contains(feature, features);
        Assert.Contains("5", Reported("capset-ids").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Reported("proxy-listening");
    }

    [SkippableFact]
    public void Wayland_info_in_the_guest_sees_the_globals_local_mode_sees_and_the_proxy_s_linux_dmabuf()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        Assert.Contains(("app-exit", "wayland-info 0"), session.Reports);
        Assert.Contains(session.GuestGlobals, global => global.Interface == "wl_compositor");
        // The guest's render node carries clients' dma-bufs; local mode has none to offer.
        Assert.Equal(Sorted(session.LocalModeGlobals.Append(new Support.AnnouncedGlobal(0, "zwp_linux_dmabuf_v1", 4))), Sorted(session.GuestGlobals));
        // wayland-info read the default feedback: the guest's render node (DRM major 226, minor 128)
        // and the format table the proxy sent, whose formats wl_shm shadows carry.
        string[] info = AppOutput("wayland-info");
        Assert.Contains("\tmain device: 0xE280", info);
        Assert.Contains("\t\t0x34325241 = 'AR24'; 0x00ffffffffffffff = INVALID", info);
        Assert.Contains("\t\t0x34325258 = 'XR24'; 0x00ffffffffffffff = INVALID", info);

        static string[] Sorted(IEnumerable<Support.AnnouncedGlobal> globals) =>
            globals.Select(global => $"{global.Interface} v{global.Version}").Order(StringComparer.Ordinal).ToArray();
    }

    [SkippableFact]
    public void Weston_simple_shm_in_the_guest_animates_its_window_on_the_host_as_it_does_directly()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        output.WriteLine($"direct: {session.DirectWindow}; from the guest: {session.GuestWindow}");
        Assert.Equal((session.DirectWindow.Width, session.DirectWindow.Height), (session.GuestWindow.Width, session.GuestWindow.Height));
        Assert.True(session.GuestWindow.DistinctColours >= session.DirectWindow.DistinctColours / 2,
            $"the guest's window has {session.GuestWindow.DistinctColours} colours, the direct one {session.DirectWindow.DistinctColours}");
        Assert.Contains(("app-stopped", "weston-simple-shm"), session.Reports);
    }

    [SkippableFact]
    public void Killing_the_guest_leaves_the_host_serving_with_its_fds_back()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        Assert.True(session.HostAliveAfterGuest, $"crossdomain-host exited after the guest was killed:\n{session.HostLog}");
        string[] left = session.HostFdsAfter.Where(fd => !session.HostFdsBefore.TryGetValue(fd.Key, out string? before) || before != fd.Value)
            .Select(fd => $"{fd.Key} -> {fd.Value}").ToArray();
        Assert.True(left.Length == 0, $"crossdomain-host kept fds it did not have before the guest:\n{string.Join('\n', left)}");
        var local = session.AfterGuest!;
        Assert.True(local.ExitCode == 0, $"wayland-info in local mode after the guest exited with {local.ExitCode}:\n{local.StandardError}");
        Assert.Contains("'wl_compositor'", local.StandardOutput, StringComparison.Ordinal);
        string[] log = session.HostLog.Split('\n');
        int problem = Array.FindIndex(log, line => ProblemLine().IsMatch(line));
        Assert.True(problem < 0, "the host service logged a problem, after:\n" + string.Join('\n', log[Math.Max(0, problem - 30)..(problem + 1)]));
    }

    [SkippableFact]
    public void A_gtk4_app_in_the_guest_shows_on_the_host_the_pixels_it_shows_directly()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        Assert.NotNull(session.DirectSwatch);
        Assert.True(session.GuestSwatch is not null, $"the guest's GTK4 window was not found:\n{string.Join('\n', AppOutput("gtk4-swatch.py"))}");
        output.WriteLine($"direct at ({session.DirectSwatch.X}, {session.DirectSwatch.Y}), from the guest at ({session.GuestSwatch.X}, {session.GuestSwatch.Y})");
        Assert.Equal(0, session.DirectSwatch.DifferingPixels(session.GuestSwatch));
    }

    [SkippableFact]
    public void Weston_simple_egl_in_the_guest_draws_on_virgl_and_its_dmabuf_frames_show_on_the_host_as_they_do_directly()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        Assert.True(session.GuestEgl is not null, $"the guest's weston-simple-egl window was not found:\n{string.Join('\n', AppOutput("weston-simple-egl"))}");
        var (guestWindow, guestColours) = session.GuestEgl.Value;
        var (directWindow, directColours) = session.DirectEgl;
        output.WriteLine($"direct: {directWindow} {directColours}; from the guest: {guestWindow} {guestColours}");
        Assert.True(directColours.HasAll, $"weston-simple-egl run directly shows no red, green and blue: {directColours}");
        Assert.True(guestColours.HasAll, $"weston-simple-egl from the guest shows no red, green and blue: {guestColours}");
        // Both windows are 250x250; what animates is the triangle inside.
        Assert.InRange(guestWindow.Width, 1, 250);
        Assert.InRange(guestWindow.Height, 1, 250);
        // Which path its frames took: dma-bufs (Mesa would use wl_shm if the proxy's linux-dmabuf
        // were not used), read back here since this host has no render node for zero-copy.
        string[] proxyLines = ProxyLinesAfter("app-stopped weston-simple-egl");
        string? path = proxyLines.FirstOrDefault(line => line.Contains("dma-buf buffers are", StringComparison.Ordinal));
        Assert.True(path is not null, "the guest's proxy never took a dma-buf from weston-simple-egl:\n" + string.Join('\n', proxyLines));
        output.WriteLine($"dma-buf path: {path}");
        Assert.Contains("read back from the host's renderer", path, StringComparison.Ordinal);
        // The readback follows the damage, as shm copies do: EGL's buffer-age damage, each box read
        // back once and copied once into the shadow.
        var closed = GuestConsole.ClientClosedIn(proxyLines);
        Assert.True(closed is not null, "the guest's proxy logged no client close after weston-simple-egl:\n" + string.Join('\n', proxyLines));
        output.WriteLine(closed.Value);
        long damaged = long.Parse(closed.Groups["damaged"].Value, CultureInfo.InvariantCulture);
        long copied = long.Parse(closed.Groups["copied"].Value, CultureInfo.InvariantCulture);
        Assert.True(damaged > 0, "weston-simple-egl damaged nothing after its buffers' first copies");
        Assert.True(copied <= 2 * damaged, $"the proxy read back and copied {copied} bytes for {damaged} damaged");
    }

    [SkippableFact]
    public void Weston_simple_damage_in_the_guest_copies_at_most_twice_the_bytes_it_damages()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        string[] proxyLines = ProxyLinesAfter("app-stopped weston-simple-damage");
        var closed = GuestConsole.ClientClosedIn(proxyLines);
        Assert.True(closed is not null, "the guest's proxy logged no client close after weston-simple-damage:\n" + string.Join('\n', proxyLines));
        long commits = long.Parse(closed.Groups["commits"].Value, CultureInfo.InvariantCulture);
        long damaged = long.Parse(closed.Groups["damaged"].Value, CultureInfo.InvariantCulture);
        long copied = long.Parse(closed.Groups["copied"].Value, CultureInfo.InvariantCulture);
        output.WriteLine(closed.Value);
        Assert.True(commits >= 10, $"weston-simple-damage committed {commits} shm buffers");
        Assert.True(damaged > 0, "weston-simple-damage damaged nothing after its buffers' first copies");
        Assert.True(copied <= 2 * damaged, $"the proxy copied {copied} bytes for {damaged} damaged");
        // The host-visible window holds the shadows: nothing goes by transfer.
        Assert.Equal("0", closed.Groups["transferred"].Value);
    }

    [SkippableFact]
    public void Keys_typed_on_the_host_reach_a_client_in_the_guest_through_the_keymap_it_was_sent()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        string[] wev = AppOutput("wev");
        var keymap = wev.Select(line => WevKeymap().Match(line)).FirstOrDefault(match => match.Success);
        Assert.True(keymap is not null, "wev in the guest got no xkb keymap:\n" + string.Join('\n', wev));
        Assert.True(int.Parse(keymap.Groups["size"].Value, CultureInfo.InvariantCulture) > 1000, keymap.Value);
        // libxkbcommon in the guest turns each keycode into a character with the keymap it was sent:
        // the characters come out right only if the keymap fd arrived whole.
        string typed = string.Concat(wev.Select(line => WevCharacter().Match(line)).Where(match => match.Success).Select(match => match.Groups["character"].Value));
        Assert.Equal(CrossDomainGuestSession.TypedText, typed);
    }

    [SkippableFact]
    public void Text_copied_in_the_guest_pastes_on_the_host_and_text_copied_on_the_host_pastes_in_the_guest()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        byte[] guestText = CrossDomainGuestSession.ClipboardText("guest"), hostText = CrossDomainGuestSession.ClipboardText("host");
        Assert.Equal($"{Sha256(guestText)} {guestText.Length}", Reported("copied"));
        Assert.True(session.PastedOnHost is not null, "the host never pasted");
        Assert.True(guestText.AsSpan().SequenceEqual(session.PastedOnHost), $"the host pasted {session.PastedOnHost.Length} bytes, not the guest's {guestText.Length}");
        Assert.Contains(("app-exit", "copy-text 0"), session.Reports);
        Assert.Contains(("app-exit", "paste-text 0"), session.Reports);
        Assert.Equal($"{Sha256(hostText)} {hostText.Length}", Reported("pasted"));

        static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
    }

    private string[] AppOutput(string name) => GuestConsole.AppOutput(session.Serial, name);

    private string[] ProxyLinesAfter(string report) => GuestConsole.ProxyLinesAfter(session.Serial, report);

    private string Reported(string key) => GuestConsole.Reported(session.Report, session.Serial, key);

    private void Describe() => GuestConsole.Describe(output, session.CommandLine, session.Report);

    // Microsoft.Extensions.Logging's console format: "warn: ", "fail: ", "crit: " at a line's start.
    [GeneratedRegex(@"^\s*(warn|fail|crit):")]
    private static partial Regex ProblemLine();

    // wev: "[14:     wl_keyboard] keymap: format: 1 (xkb v1), size: 64434".
    [GeneratedRegex(@"wl_keyboard\] keymap: format: 1 \(xkb v1\), size: (?<size>\d+)")]
    private static partial Regex WevKeymap();

    // wev, for each key: "sym: c (99), utf8: 'c'" when pressed, "utf8: ''" when released.
    [GeneratedRegex(@"sym: \S+\s+\(\d+\), utf8: '(?<character>[^']+)'")]
    private static partial Regex WevCharacter();
}

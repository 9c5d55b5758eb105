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
    public void Wayland_info_in_the_guest_sees_the_globals_local_mode_sees()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        Assert.Equal("wayland-info 0", Reported("app-exit"));
        Assert.Contains(session.GuestGlobals, global => global.Interface == "wl_compositor");
        Assert.Equal(Sorted(session.LocalModeGlobals), Sorted(session.GuestGlobals));

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
        Assert.Equal("weston-simple-shm", Reported("app-stopped"));
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

    private string Reported(string key)
    {
        Assert.True(session.Report.TryGetValue(key, out string? value), $"the guest did not report {key}:\n{session.Serial}");
        return value;
    }

    private void Describe()
    {
        output.WriteLine($"qemu-system-x86_64 {session.CommandLine}");
        foreach (var (key, value) in session.Report) output.WriteLine($"guest: {key} {value}");
    }

    // Microsoft.Extensions.Logging's console format: "warn: ", "fail: ", "crit: " at a line's start.
    [GeneratedRegex(@"^\s*(warn|fail|crit):")]
    private static partial Regex ProblemLine();
}

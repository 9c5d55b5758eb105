using System.Globalization;
using Xunit.Abstractions;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// A guest whose device has no host-visible memory (<see cref="DedicatedDeviceGuestSession"/>): the
/// proxy sees VIRTGPU_PARAM_HOST_VISIBLE 0 and the host's guest-memory-transfer extension, keeps
/// shm shadows in HOST3D_GUEST blobs and transfers each damaged box (docs/EXTENSIONS.md).
/// </summary>
public sealed class DedicatedDeviceGuestTests(DedicatedDeviceGuestSession session, ITestOutputHelper output) : IClassFixture<DedicatedDeviceGuestSession>
{
    [SkippableFact]
    public void The_patched_dedicated_device_passes_blobs_and_context_init_but_no_host_visible_memory()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        string[] features = Reported("features").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (string feature in new[] { "+virgl", "+resource_blob", "-host_visible", "+context_init" })
            Assert.Contains(feature, features);
        Assert.Contains("5", Reported("capset-ids").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Reported("proxy-listening");
        // Built without loadable modules, it never looks for one, whatever QEMU the system has.
        Assert.True(session.ModuleLookups.Count == 0, $"the patched QEMU looked for modules:\n{string.Join('\n', session.ModuleLookups)}");
    }

    [SkippableFact]
    public async Task The_patched_qemu_has_the_kvm_accelerator_the_readme_boots_it_with()
    {
        var (images, skipReason) = await VmImages.GetWithPatchedQemuAsync();
        Skip.If(images is null, skipReason);
        var start = new System.Diagnostics.ProcessStartInfo(images.PatchedQemu10.Command[0]) { RedirectStandardOutput = true, UseShellExecute = false, ArgumentList = { "-accel", "help" } };
        using var qemu = System.Diagnostics.Process.Start(start)!;
        string[] accelerators = (await qemu.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.TrimEntries);
        await qemu.WaitForExitAsync();
        Assert.Contains("kvm", accelerators);
        Assert.Contains("tcg", accelerators);
    }

    [SkippableFact]
    public void Weston_simple_shm_without_host_visible_memory_animates_its_window_on_the_host_as_it_does_directly()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        output.WriteLine($"direct: {session.DirectWindow}; from the guest: {session.GuestWindow}");
        Assert.Equal((session.DirectWindow.Width, session.DirectWindow.Height), (session.GuestWindow.Width, session.GuestWindow.Height));
        Assert.True(session.GuestWindow.DistinctColours >= session.DirectWindow.DistinctColours / 2,
            $"the guest's window has {session.GuestWindow.DistinctColours} colours, the direct one {session.DirectWindow.DistinctColours}");
        string[] proxyLines = GuestConsole.ProxyLinesAfter(session.Serial, "app-stopped weston-simple-shm");
        Assert.True(proxyLines.Any(line => line.Contains("shm buffers are copied into guest pages, then transferred", StringComparison.Ordinal)),
            "the guest's proxy did not say it keeps shm buffers in guest pages:\n" + string.Join('\n', proxyLines));
    }

    [SkippableFact]
    public void Weston_simple_damage_without_host_visible_memory_transfers_at_most_twice_the_bytes_it_damages()
    {
        Skip.If(session.SkipReason is not null, session.SkipReason);
        Describe();
        string[] proxyLines = GuestConsole.ProxyLinesAfter(session.Serial, "app-stopped weston-simple-damage");
        var closed = GuestConsole.ClientClosedIn(proxyLines);
        Assert.True(closed is not null, "the guest's proxy logged no client close after weston-simple-damage:\n" + string.Join('\n', proxyLines));
        output.WriteLine(closed.Value);
        long commits = long.Parse(closed.Groups["commits"].Value, CultureInfo.InvariantCulture);
        long damaged = long.Parse(closed.Groups["damaged"].Value, CultureInfo.InvariantCulture);
        long copied = long.Parse(closed.Groups["copied"].Value, CultureInfo.InvariantCulture);
        long transferred = long.Parse(closed.Groups["transferred"].Value, CultureInfo.InvariantCulture);
        Assert.True(commits >= 10, $"weston-simple-damage committed {commits} shm buffers");
        Assert.True(damaged > 0, "weston-simple-damage damaged nothing after its buffers' first copies");
        Assert.True(copied <= 2 * damaged, $"the proxy copied {copied} bytes for {damaged} damaged");
        // Every byte copied into a guest page went on to the host, and nothing else did.
        Assert.Equal(copied, transferred);
    }

    private string Reported(string key) => GuestConsole.Reported(session.Report, session.Serial, key);

    private void Describe() => GuestConsole.Describe(output, session.CommandLine, session.Report);
}

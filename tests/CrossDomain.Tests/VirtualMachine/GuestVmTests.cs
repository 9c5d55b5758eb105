using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// The VM tier: a real Linux guest (Debian 12's 6.1 kernel under QEMU 10.0.2, TCG) drives our
/// host service through vhost-user-gpu-pci. Stock QEMU passes neither CONTEXT_INIT nor
/// RESOURCE_BLOB through vhost-user-gpu, so the guest cannot create cross-domain contexts here;
/// what it can do is what these tests check: probe the device, draw its console through it, and,
/// when the host offers the VIRGL capset, run Mesa's virgl driver against it.
/// </summary>
public sealed partial class GuestVmTests(GuestBoot boot, ITestOutputHelper output) : IClassFixture<GuestBoot>
{
    private const int VirglCapset = 1;
    private const int CrossDomainCapset = 5;

    [SkippableFact]
    public void The_guest_driver_probes_the_device_and_its_console_reaches_the_host()
    {
        Skip.If(boot.SkipReason is not null, boot.SkipReason);
        Describe();
        Assert.True(boot.QemuExitCode == 0, $"QEMU exited with {boot.QemuExitCode}:\n{boot.Serial}");
        Assert.True(boot.Report.ContainsKey("done"), $"the guest's init did not finish:\n{boot.Serial}");

        Assert.Contains("/dev/dri/renderD128", Reported("render-node"), StringComparison.Ordinal);
        Assert.Contains("/dev/dri/card0", Reported("card"), StringComparison.Ordinal);
        // The Linux driver only allows 3D (and so context) ioctls with VIRGL negotiated; QEMU takes
        // VIRGL and EDID from the back-end and drops RESOURCE_BLOB and CONTEXT_INIT.
        string[] features = Reported("features").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("+virgl", features);
        Assert.Contains("+edid", features);
        Assert.Contains("-context_init", features);
        Assert.Contains(CrossDomainCapset, CapsetIds());
        Assert.Equal(CapsetIds().Count, int.Parse(Reported("capset-count"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("virtio_gpudrmfb", Reported("framebuffer"));
        Assert.Equal("mounted", Reported("hostroot"));
        Assert.Equal("yes", Reported("hostroot-render-node"));

        // fbcon's framebuffer: one 2D resource with guest backing, scanned out, then text drawn
        // as transfers and flushes (how many depends on how the kernel's damage worker merges them).
        var commands = CommandCounts();
        foreach (string command in new[] { "GetDisplayInfo", "GetCapsetInfo", "ResourceCreate2D", "ResourceAttachBacking", "SetScanout", "TransferToHost2D", "ResourceFlush" })
            Assert.True(commands.GetValueOrDefault(command) > 0, $"the host saw no {command}: {Describe(commands)}");

        Assert.Equal(0, boot.HostExitCode);
        string[] problems = boot.HostLog.Split('\n').Where(line => ProblemLine().IsMatch(line)).ToArray();
        Assert.True(problems.Length == 0, "the host service logged problems:\n" + string.Join('\n', problems));
    }

    [SkippableFact]
    public void Mesa_virgl_in_the_guest_renders_through_the_device()
    {
        Skip.If(boot.SkipReason is not null, boot.SkipReason);
        Describe();
        Assert.True(boot.Report.ContainsKey("capset-ids"), $"the guest reported no capsets:\n{boot.Serial}");
        Skip.IfNot(CapsetIds().Contains(VirglCapset),
            $"the host offers no VIRGL capset (the guest sees capset ids: {Reported("capset-ids")}), so Mesa's virgl driver cannot run in the guest");

        // deploy/vm/gl-probe.py, in the guest: a GLES context on the surfaceless platform, two clears
        // (one scissored) into a renderbuffer, and the pixels read back.
        Assert.True(Reported("gl-probe-exit") == "0", $"the guest's GL probe failed:\n{ProbeOutput()}");
        Assert.Equal("virtio_gpu", Reported("gl-driver"));
        Assert.StartsWith("virgl", Reported("gl-renderer"), StringComparison.Ordinal);
        Assert.True(Reported("gl-pixels-match") == "yes", $"the pixels read back are not the ones cleared:\n{ProbeOutput()}");

        // Mesa's own context, beside the one the kernel creates for its console, and its command
        // streams reached the host: the pixels came from the host's virglrenderer.
        var commands = CommandCounts();
        Assert.True(commands.GetValueOrDefault("ContextCreate") >= 2, $"the host saw no context of Mesa's: {Describe(commands)}");
        Assert.True(commands.GetValueOrDefault("Submit3D") > 0, $"the host saw no Submit3D: {Describe(commands)}");
    }

    [SkippableFact]
    public void QEMU_looks_for_its_modules_in_its_own_tree_only()
    {
        Skip.If(boot.SkipReason is not null, boot.SkipReason);
        // A QEMU that finds another build's module (Debian's own qemu-system-x86 in
        // /usr/lib/x86_64-linux-gnu/qemu) aborts; one that only looks finds nothing there today
        // and aborts the day that package is installed. The lookups it made are under strace.
        Assert.NotEmpty(boot.ModuleLookups);
        string[] outside = boot.ModuleLookups.Where(path => !path.StartsWith(boot.ModuleDirectory + "/", StringComparison.Ordinal)).ToArray();
        Assert.True(outside.Length == 0, $"QEMU looked for modules outside {boot.ModuleDirectory}:\n{string.Join('\n', outside)}");
    }

    private string Reported(string key)
    {
        Assert.True(boot.Report.TryGetValue(key, out string? value), $"the guest did not report {key}:\n{boot.Serial}");
        return value;
    }

    private string ProbeOutput() =>
        string.Join('\n', boot.Serial.Split('\n').Where(line => line.StartsWith("gl-probe| ", StringComparison.Ordinal)));

    private List<int> CapsetIds() =>
        Reported("capset-ids").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(id => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private Dictionary<string, int> CommandCounts() =>
        CommandLine().Matches(boot.HostLog).GroupBy(match => match.Groups[1].Value).ToDictionary(group => group.Key, group => group.Count());

    private static string Describe(Dictionary<string, int> commands) =>
        string.Join(", ", commands.Select(command => $"{command.Key} {command.Value}"));

    private void Describe()
    {
        output.WriteLine($"qemu-system-x86_64 {boot.CommandLine}");
        output.WriteLine($"boot to the guest's report: {boot.BootTime.TotalSeconds:F1} s");
        foreach (var (key, value) in boot.Report) output.WriteLine($"guest: {key} {value}");
        output.WriteLine($"host commands: {Describe(CommandCounts())}");
    }

    // DeviceLog.CommandReceived, one per control-queue command at debug level.
    [GeneratedRegex(@"\] Command (\w+) \(context \d+\)$", RegexOptions.Multiline)]
    private static partial Regex CommandLine();

    // Microsoft.Extensions.Logging's console format: "warn: ", "fail: ", "crit: " at a line's start.
    [GeneratedRegex(@"^\s*(warn|fail|crit):")]
    private static partial Regex ProblemLine();
}

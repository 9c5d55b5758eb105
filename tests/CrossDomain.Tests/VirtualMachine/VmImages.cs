using System.Diagnostics;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// What deploy/vm/prepare.sh made: QEMU 10.0.2 unpacked from bookworm-backports, QEMU 11.1 with
/// trixie's libraries and loader, Debian's 6.1 kernel and the test initramfs; and, for the tests
/// that ask, QEMU 10.0.2 built with deploy/vm/qemu-vhost-user-gpu-blob.patch. The script runs once
/// per test process for each; it reuses its work folder (~/.cache/crossdomain-vm or
/// $CROSSDOMAIN_VM_DIR), so only the first run on a machine downloads and builds.
/// </summary>
public sealed record VmImages(IReadOnlyDictionary<string, string> Paths)
{
    /// <summary>prepare.sh's exit status for "a package could not be fetched" (network, mirror).</summary>
    private const int FetchFailed = 3;

    private static readonly TimeSpan PreparePatience = TimeSpan.FromMinutes(6);
    /// <summary>The build takes about 7 minutes on 2 idle cores; the suite's other tests share them.</summary>
    private static readonly TimeSpan BuildPatience = TimeSpan.FromMinutes(25);
    private static readonly Lazy<Task<(VmImages? Images, string? SkipReason)>> Prepared = new(() => PrepareAsync([], PreparePatience));
    private static readonly Lazy<Task<(VmImages? Images, string? SkipReason)>> PreparedWithPatchedQemu =
        new(() => PrepareAsync(["--patched-qemu"], BuildPatience));

    /// <summary>QEMU 10.0.2: its vhost-user-gpu-pci, the device a stock QEMU has for this back-end.</summary>
    public QemuBuild Qemu10 => new([Paths["QEMU"]],
        new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Paths["QEMU_LD_LIBRARY_PATH"], ["QEMU_MODULE_DIR"] = Paths["QEMU_MODULE_DIR"] },
        Paths["QEMU_FIRMWARE_DIRS"].Split(':'), Paths["QEMU_MODULE_DIR"]);

    /// <summary>QEMU 11.1 through trixie's loader: its vhost-user-test-device-pci maps the host-visible window.</summary>
    public QemuBuild Qemu11 => new([Paths["QEMU11_LOADER"], "--library-path", Paths["QEMU11_LIBRARY_PATH"], Paths["QEMU11"]],
        new Dictionary<string, string> { ["QEMU_MODULE_DIR"] = Paths["QEMU11_MODULE_DIR"] },
        Paths["QEMU11_FIRMWARE_DIRS"].Split(':'), Paths["QEMU11_MODULE_DIR"]);

    /// <summary>
    /// QEMU 10.0.2 with the patch: its vhost-user-gpu-pci passes blobs and context init, and has no
    /// host-visible window. Built without loadable modules, it looks for none; its firmware is
    /// stock 10.0.2's. Only in the images of <see cref="GetWithPatchedQemuAsync"/>.
    /// </summary>
    public QemuBuild PatchedQemu10 => new([Paths["QEMU_PATCHED"]], new Dictionary<string, string>(),
        Paths["QEMU_FIRMWARE_DIRS"].Split(':'), Path.GetDirectoryName(Paths["QEMU_PATCHED"])!);

    public string Kernel => Paths["KERNEL"];
    public string Initramfs => Paths["INITRAMFS"];
    /// <summary>deploy/vm/gl-probe.py: the guest runs it from the host's root, at this same path.</summary>
    public string GlProbe => Paths["GL_PROBE"];
    /// <summary>The images, or why there are none: a skip reason when packages could not be fetched.</summary>
    /// <remarks>Any other failure of the script fails the test: that is a bug, not this machine's lot.</remarks>
    public static Task<(VmImages? Images, string? SkipReason)> GetAsync() => Prepared.Value;

    /// <summary>The images with <see cref="PatchedQemu10"/> built (the first time, minutes).</summary>
    public static Task<(VmImages? Images, string? SkipReason)> GetWithPatchedQemuAsync() => PreparedWithPatchedQemu.Value;

    private static async Task<(VmImages?, string?)> PrepareAsync(string[] options, TimeSpan patience)
    {
        string script = Path.Combine(RepositoryRoot(), "deploy", "vm", "prepare.sh");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (string option in options) start.ArgumentList.Add(option);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(patience))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{script} {string.Join(' ', options)} did not finish within {patience}: {await output}{await errors}");
            }
        }
        if (process.ExitCode == FetchFailed)
            return (null, $"QEMU and the guest kernel cannot be fetched here: {(await errors).Trim()}");
        Assert.True(process.ExitCode == 0, $"{script} {string.Join(' ', options)} failed ({process.ExitCode}):\n{await output}{await errors}");

        string environmentFile = (await output).Split('\n').Select(line => line.Trim())
            .Last(line => line.StartsWith("prepare: ready: ", StringComparison.Ordinal))["prepare: ready: ".Length..];
        var paths = File.ReadAllLines(environmentFile)
            .Where(line => line.Contains('=', StringComparison.Ordinal))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        return (new VmImages(paths), null);
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "deploy", "vm", "prepare.sh")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no deploy/vm/prepare.sh above {AppContext.BaseDirectory}");
    }
}

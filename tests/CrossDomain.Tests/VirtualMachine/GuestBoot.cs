using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// One real boot, shared by the stock-QEMU tests: a headless weston, crossdomain-host serving a
/// vhost-user socket and QEMU 10.0.2 under TCG booting Debian's 6.1 kernel with vhost-user-gpu-pci
/// on that socket and the host's root over 9p. The initramfs's init (deploy/vm/guest-init.sh)
/// reports "crossdomain-vm: KEY VALUE" lines on the serial console and powers off; QEMU is killed
/// if it runs past <see cref="QemuPatience"/>.
/// </summary>
public sealed class GuestBoot : IAsyncLifetime
{
    private static readonly TimeSpan QemuPatience = TimeSpan.FromSeconds(150);

    private DirectoryInfo? _directory;

    /// <summary>Why nothing was booted (QEMU could not be fetched); null when the boot ran.</summary>
    public string? SkipReason { get; private set; }

    public int QemuExitCode { get; private set; }

    public int HostExitCode { get; private set; }

    public TimeSpan BootTime { get; private set; }

    public string CommandLine { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Report { get; private set; } = new Dictionary<string, string>();

    public string HostLog { get; private set; } = "";

    public string Serial { get; private set; } = "";

    public IReadOnlyList<string> ModuleLookups { get; private set; } = [];

    public string ModuleDirectory { get; private set; } = "";

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
        using var host = await HostServiceProcess.StartAsync(socket, weston.SocketPath, _directory.FullName);
        try
        {
            using var guest = GuestMachine.Boot(images.Qemu10, images, socket, "vhost-user-gpu-pci,chardev=gpu",
                $"crossdomain.glprobe={images.GlProbe}", _directory.FullName);
            CommandLine = guest.CommandLine;
            try
            {
                QemuExitCode = await guest.WaitForExitAsync(QemuPatience);
            }
            finally
            {
                Serial = guest.Serial;
                Report = guest.Report;
                BootTime = guest.BootTime;
                ModuleLookups = guest.ModuleLookups();
                ModuleDirectory = images.Qemu10.ModuleDirectory;
            }
        }
        finally
        {
            HostExitCode = await host.StopAsync();
            HostLog = host.Log;
        }
    }

    public Task DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

using CrossDomain.Tests.Bridge;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VirtualMachine;

/// <summary>
/// A guest without host-visible memory, once per test run: Debian's 6.1 kernel under QEMU 10.0.2
/// built with deploy/vm/qemu-vhost-user-gpu-blob.patch, whose dedicated vhost-user-gpu-pci passes
/// blobs and context init from crossdomain-host but has no shared-memory window. In it, our proxy
/// (the systemd unit's command line) must keep wl_shm buffers in guest pages and transfer what
/// clients damage; weston-simple-shm and weston-simple-damage from the host's root run on it, onto
/// a private headless weston.
/// </summary>
public sealed class DedicatedDeviceGuestSession : IAsyncLifetime
{
    private const string Device = "vhost-user-gpu-pci,chardev=gpu";
    private static readonly TimeSpan GuestPatience = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan WindowPatience = TimeSpan.FromSeconds(90);

    private DirectoryInfo? _directory;

    public string? SkipReason { get; private set; }

    public string CommandLine { get; private set; } = "";

    public string Serial { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Report { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<(string Key, string Value)> Reports { get; private set; } = [];

    public string HostLog { get; private set; } = "";

    /// <summary>Every loadable-module path QEMU looked for (<see cref="GuestMachine.ModuleLookups"/>).</summary>
    public IReadOnlyList<string> ModuleLookups { get; private set; } = [];

    public AnimatedWindow DirectWindow { get; private set; }

    public AnimatedWindow GuestWindow { get; private set; }

    public async Task InitializeAsync()
    {
        var (images, skipReason) = await VmImages.GetWithPatchedQemuAsync();
        if (images is null)
        {
            SkipReason = skipReason;
            return;
        }
        _directory = Directory.CreateTempSubdirectory("crossdomain-dedicated-");
        string socket = Path.Combine(_directory.FullName, "gpu.sock");
        using var weston = HeadlessWeston.Start(width: 640, height: 480, debug: true);
        AnimatedWindow.WaitUntilSettled(weston, TimeSpan.FromSeconds(30));
        DirectWindow = BridgedSimpleShmTests.ObserveAnimatedWindow(weston, weston.ApplyTo);

        using var host = await HostServiceProcess.StartAsync(socket, weston.SocketPath, _directory.FullName);
        try
        {
            string apps = string.Join(',', Path.Combine(VmImages.RepositoryRoot(), "deploy", "vm", "guest-apps.sh"),
                CrossDomainGuestSession.GuestProxy(), "weston-simple-shm", "weston-simple-damage");
            using var guest = GuestMachine.Boot(images.PatchedQemu10, images, socket, Device, $"crossdomain.apps={apps}", _directory.FullName);
            CommandLine = guest.CommandLine;
            try
            {
                GuestWindow = await guest.WaitForAnimatedWindowAsync(weston, "weston-simple-shm", GuestPatience, WindowPatience);
                guest.SendLine("next");

                await guest.RunSimpleDamageAsync(weston, GuestPatience, WindowPatience);
                await guest.WaitForReportAsync("apps-done", "", GuestPatience);
            }
            finally
            {
                guest.Kill();
                Serial = guest.Serial;
                Report = guest.Report;
                Reports = guest.Reports;
                ModuleLookups = guest.ModuleLookups();
            }
        }
        finally
        {
            await host.StopAsync();
            HostLog = host.Log;
        }
    }

    public Task DisposeAsync()
    {
        _directory?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

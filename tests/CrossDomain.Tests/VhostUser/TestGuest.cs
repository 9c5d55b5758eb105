using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// Guest RAM (a memfd) with the two virtio-gpu rings laid out in it, as QEMU sizes them with
/// VIRGL: controlq 256 entries, cursorq 16. The guest-physical base is not 0 so that a mix-up
/// of offsets and addresses shows.
/// </summary>
internal sealed class TestGuest : IDisposable
{
    public const ulong GuestPhysicalBase = 0x4000_0000;
    public const long RamSize = 1 << 20;

    public TestGuest(string name = "vhost-test-ram")
    {
        Ram = new GuestRam(RamSize, GuestPhysicalBase, name);
        Queues =
        [
            new FrontendVringLayout(256, GuestPhysicalBase + 0x0000, GuestPhysicalBase + 0x1000, GuestPhysicalBase + 0x2000),
            new FrontendVringLayout(16, GuestPhysicalBase + 0x3000, GuestPhysicalBase + 0x3100, GuestPhysicalBase + 0x3200),
        ];
    }

    public GuestRam Ram { get; }

    public FrontendVringLayout[] Queues { get; }

    public IReadOnlyList<FrontendMemoryRegion> Memory => [Ram.Region];

    public void Dispose() => Ram.Dispose();
}

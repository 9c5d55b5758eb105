using System.ComponentModel;
using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;
using Tmds.Linux;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// Guest RAM a front-end could shrink after handing it over would leave the back-end's mapping
/// with a tail that raises SIGBUS: the back-end seals it against shrinking, or refuses it.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class GuestRamSealTests : IDisposable
{
    private const long RamSize = TestGuest.RamSize;

    private readonly BackendLoop _backend = new();
    private readonly TestGuest _layout = new("vhost-seal-layout");

    public void Dispose()
    {
        _backend.Dispose();
        _layout.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sealable_guest_ram_is_sealed_against_shrinking_when_mapped(bool memorySlots)
    {
        using var memfd = MemFd.Create("vhost-sealable-ram", RamSize, allowSealing: true);
        using var mapping = MemoryMapping.Map(memfd, RamSize);
        Assert.Equal(MemFdSeals.None, MemFd.GetSeals(memfd));
        var region = new FrontendMemoryRegion(memfd, TestGuest.GuestPhysicalBase, RamSize, mapping.Address);
        var (ours, theirs) = UnixSocket.CreatePair();
        var session = _backend.StartSession(theirs);
        using var frontend = new VhostUserFrontend(ours, VhostUserFrontendOptions.Plain with { UseMemorySlots = memorySlots });

        var outcome = frontend.Handshake([region], _layout.Queues);
        Assert.True(outcome.IsSuccess, outcome.ToString());
        Assert.True(frontend.Synchronize().IsSuccess);

        Assert.Equal(MemFdSeals.Shrink, MemFd.GetSeals(memfd));
        var refused = Assert.Throws<Win32Exception>(() => MemFd.Resize(memfd, RamSize / 2));
        Assert.Equal(LibC.EPERM, refused.NativeErrorCode);

        // A descriptor in the last 16 bytes, read the way a device reads one.
        ulong last = TestGuest.GuestPhysicalBase + (ulong)RamSize - 16;
        mapping.GetSpan(RamSize - 16, 16).Fill(0x5C);
        var seen = _backend.Invoke(() =>
        {
            Assert.False(session.IsClosed);
            Assert.True(session.Memory!.TryGetSpan(last, 16, out var descriptor));
            return descriptor.ToArray();
        });
        Assert.All(seen, b => Assert.Equal(0x5C, b));
    }

    public static TheoryData<string, bool> UnsealableRam => new()
    {
        { "memfd without MFD_ALLOW_SEALING", false },
        { "memfd without MFD_ALLOW_SEALING", true },
        { "tmpfs file", false },
        { "tmpfs file", true },
    };

    [Theory]
    [MemberData(nameof(UnsealableRam))]
    public void Guest_ram_that_cannot_be_sealed_is_refused_and_not_mapped(string kind, bool memorySlots)
    {
        string path = $"/dev/shm/crossdomain-unsealable-{Environment.ProcessId}-{Guid.NewGuid():N}";
        string mapsName = kind == "tmpfs file" ? path : "/memfd:vhost-unsealable-ram ";
        using var file = kind == "tmpfs file" ? TmpfsFile(path) : MemFd.Create("vhost-unsealable-ram", RamSize, allowSealing: false);
        try
        {
            using var mapping = MemoryMapping.Map(file, RamSize);
            var region = new FrontendMemoryRegion(file, TestGuest.GuestPhysicalBase, RamSize, mapping.Address);
            var logger = new RecordingLogger();
            using var raw = RawFrontend.Connect(_backend, out var session, logger: logger);
            raw.Negotiate(ProtocolFeatures.ReplyAck | (memorySlots ? ProtocolFeatures.ConfigureMemSlots : ProtocolFeatures.None));

            ulong ack = memorySlots
                ? raw.Ack(FrontendRequest.AddMemReg, new SingleMemoryRegion(region.ToWire()), file)
                : raw.SetMemoryTable(region);

            Assert.Equal(1UL, ack);
            Assert.Equal(1, MappingCount(mapsName)); // the test's own
            Assert.Equal(MemFdSeals.None, MemFd.GetSeals(file) & MemFdSeals.Shrink);
            _backend.Invoke(() =>
            {
                Assert.False(session.IsClosed);
                Assert.Empty(session.MemoryMap?.Regions ?? []);
            });
            var refusal = Assert.IsType<VhostUserRefusal>(Assert.Single(logger.Entries, entry => entry.Value("Refusal") is not null).Value("Refusal"));
            Assert.Equal(VhostUserRefusalReason.MemoryRefused, refusal.Reason);
            Assert.Contains(nameof(MemoryMapError.Truncatable), refusal.Detail);
            Assert.Contains("memory-backend-memfd", refusal.Detail);
            Assert.Contains("F_SEAL_SHRINK", refusal.Detail);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>What QEMU's memory-backend-file makes of a path on tmpfs: a shmem file that takes no seals.</summary>
    private static FileDescriptor TmpfsFile(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite);
        stream.SetLength(RamSize);
        return new FileDescriptor((int)stream.SafeFileHandle.DangerousGetHandle(), ownsHandle: false).Duplicate();
    }

    private static int MappingCount(string name) => File.ReadAllLines("/proc/self/maps").Count(line => line.Contains(name));
}

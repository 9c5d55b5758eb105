using System.Runtime.CompilerServices;
using CrossDomain.Tests.VirtioGpu;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>Sizes and offsets of the vhost-user payloads against VHOST-USER.md §2 and §8.</summary>
public sealed class VhostUserStructLayoutTests
{
    private static readonly ExpectedLayout[] Layouts =
    [
        new(typeof(MessageHeader), 12, ("Request", 0), ("Flags", 4), ("Size", 8)),
        new(typeof(VringState), 8, ("Index", 0), ("Number", 4)),
        new(typeof(VringAddress), 40,
            ("Index", 0), ("Flags", 4), ("DescriptorTable", 8), ("UsedRing", 16), ("AvailableRing", 24), ("LogGuestAddress", 32)),
        new(typeof(MemoryRegion), 32, ("GuestPhysicalAddress", 0), ("Size", 8), ("UserAddress", 16), ("MmapOffset", 24)),
        new(typeof(MemoryTable), 8 + 8 * 32, ("RegionCount", 0), ("Padding", 4), ("Regions", 8)),
        new(typeof(SingleMemoryRegion), 40, ("Padding", 0), ("Region", 8)),
        new(typeof(ConfigSpaceHeader), 12, ("Offset", 0), ("Size", 4), ("Flags", 8)),
        new(typeof(VringFdPayload), 8, ("Value", 0)),
        new(typeof(ShmemConfig), 8 + 256 * 8, ("RegionCount", 0), ("Padding", 4), ("RegionSizes", 8)),
        new(typeof(ShmemMapping), 40,
            ("ShmId", 0), ("Padding", 1), ("FdOffset", 8), ("ShmOffset", 16), ("Length", 24), ("Flags", 32)),
    ];

    /// <summary>Value types of the namespace that are API, not wire layouts.</summary>
    private static readonly string[] NotOnTheWire = [nameof(PayloadShape), nameof(ReceiveResult), nameof(FrontendOutcome)];

    public static TheoryData<string> StructNames => StructLayoutAssert.Names(Layouts);

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Payload_struct_matches_the_documented_layout(string structName) =>
        StructLayoutAssert.Matches(Layouts, structName);

    [Fact]
    public void Every_wire_struct_of_the_namespace_is_checked()
    {
        var wireStructs = typeof(MessageHeader).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(MessageHeader).Namespace && type.IsPublic)
            .Where(type => type.IsValueType && !type.IsEnum && type.GetCustomAttributes(typeof(InlineArrayAttribute), false).Length == 0)
            .Select(type => type.Name)
            .Except(NotOnTheWire)
            .Order();
        Assert.Equal(wireStructs, Layouts.Select(layout => layout.Struct.Name).Order());
    }

    [Fact]
    public void Memory_table_payload_length_counts_only_the_regions_sent()
    {
        Assert.Equal(8, MemoryTable.PayloadLength(0));
        Assert.Equal(8 + 32, MemoryTable.PayloadLength(1));
        Assert.Equal(Unsafe.SizeOf<MemoryTable>(), MemoryTable.PayloadLength(VhostUserLimits.MaxMemTableRegions));
    }

    [Fact]
    public void Vring_fd_payload_puts_the_index_in_bits_0_to_7_and_no_fd_in_bit_8()
    {
        Assert.Equal(0x105UL, new VringFdPayload(5, noFd: true).Value);
        Assert.Equal(0x01UL, new VringFdPayload(0x101, noFd: false).Value);
        var decoded = WireBytes.FromHex<VringFdPayload>("0301000000000000");
        Assert.Equal(3u, decoded.Index);
        Assert.True(decoded.HasNoFd);
    }

    [Fact]
    public void Shmem_map_is_40_bytes_with_shmid_first()
    {
        var mapping = new ShmemMapping { ShmId = 1, FdOffset = 0x1000, ShmOffset = 0x20000, Length = 0x3000, Flags = ShmemMapFlags.Writable };
        Assert.Equal(
            WireBytes.Normalize("01000000 00000000 0010000000000000 0000020000000000 0030000000000000 0100000000000000"),
            WireBytes.ToHex(mapping));
    }

    [Fact]
    public void Protocol_feature_numbers_match_the_spec()
    {
        Assert.Equal(1UL << 22, (ulong)ProtocolFeatures.Shmem);
        Assert.Equal(1UL << 15, (ulong)ProtocolFeatures.ConfigureMemSlots);
        Assert.Equal(1UL << 30, (ulong)TransportFeatures.VhostUserProtocolFeatures);
        Assert.Equal(0x100_3000_0000UL, (ulong)TransportFeatures.AckedWithoutOffer);
        Assert.Equal(44u, (uint)FrontendRequest.GetShmemConfig);
        Assert.Equal(33u, (uint)FrontendRequest.GpuSetSocket);
        Assert.Equal(9u, (uint)BackendRequest.ShmemMap);
        Assert.Equal(10u, (uint)BackendRequest.ShmemUnmap);
    }
}

using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// Translation of guest-physical and front-end user addresses through real memfd mappings, with
/// the bounds a guest will try: region edges, gaps, ranges across regions, arithmetic that wraps.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class GuestMemoryMapTests : IDisposable
{
    private const ulong LowBase = 0x0;
    private const ulong HighBase = 0x1_0000_0000;
    private const ulong RegionSize = 0x10000;
    private const ulong LowUser = 0x7f00_0000_0000;
    private const ulong HighUser = 0x7f00_0010_0000;

    private readonly FileDescriptor _low = MemFd.Create("guest-low", (long)RegionSize);
    private readonly FileDescriptor _high = MemFd.Create("guest-high", (long)RegionSize + 0x2000);
    private readonly GuestMemoryMap _map;

    public GuestMemoryMapTests()
    {
        MemoryRegion[] regions =
        [
            new(LowBase, RegionSize, LowUser, 0),
            // Starts 0x2000 into its fd, as QEMU's second RAM block of one file would.
            new(HighBase, RegionSize, HighUser, 0x2000),
        ];
        Assert.Equal(MemoryMapError.None, GuestMemoryMap.TryCreate(regions, [_low, _high], 8, out var map));
        _map = map!;
    }

    public void Dispose()
    {
        _map.Dispose();
        _low.Dispose();
        _high.Dispose();
    }

    [Fact]
    public void A_span_inside_a_region_reaches_the_fd_at_its_mmap_offset()
    {
        using var view = MemoryMapping.Map(_high, (long)RegionSize + 0x2000);
        view.GetSpan(0x2000 + 0x10, 4).Fill(0x5A);
        Assert.True(_map.TryGetSpan(HighBase + 0x10, 4, out var span));
        Assert.Equal(new byte[] { 0x5A, 0x5A, 0x5A, 0x5A }, span.ToArray());
        span[0] = 0x11;
        Assert.Equal(0x11, view.GetSpan(0x2010, 1)[0]);
    }

    public static TheoryData<string, ulong, uint, bool> GuestPhysicalRanges => new()
    {
        { "first byte", LowBase, 1, true },
        { "whole region", LowBase, (uint)RegionSize, true },
        { "last byte", LowBase + RegionSize - 1, 1, true },
        { "one past the end", LowBase + RegionSize - 1, 2, false },
        { "in the gap", LowBase + RegionSize, 1, false },
        { "just before the high region", HighBase - 1, 2, false },
        { "high region end", HighBase + RegionSize - 4, 4, true },
        { "address that wraps with its length", ulong.MaxValue - 1, 4, false },
        { "top of the address space", ulong.MaxValue, 1, false },
        { "empty range at a region start", HighBase, 0, true },
        { "length over int.MaxValue", LowBase, uint.MaxValue, false },
    };

    [Theory]
    [MemberData(nameof(GuestPhysicalRanges))]
    public void Guest_physical_ranges_are_granted_only_inside_one_region(string what, ulong address, uint length, bool granted)
    {
        _ = what;
        Assert.Equal(granted, _map.TryGetSpan(address, length, out var span));
        Assert.Equal(granted ? (int)length : 0, span.Length);
    }

    [Fact]
    public void User_addresses_translate_to_the_same_host_bytes_as_the_guest_physical_ones()
    {
        Assert.True(_map.TryTranslateUserAddress(HighUser + 0x40, 16, out nint host, out ulong guestPhysical));
        Assert.Equal(HighBase + 0x40, guestPhysical);
        Assert.True(_map.TryGetHostAddress(HighBase + 0x40, 16, out nint viaGuestPhysical));
        Assert.Equal(viaGuestPhysical, host);
    }

    public static TheoryData<string, ulong, ulong> RefusedUserRanges => new()
    {
        { "before the first region", LowUser - 1, 1 },
        { "past the end", LowUser + RegionSize, 1 },
        { "across the end", LowUser + RegionSize - 8, 16 },
        { "length that wraps", LowUser + 8, ulong.MaxValue },
        { "address that wraps", ulong.MaxValue - 4, 16 },
        { "guest-physical is not a user address", HighBase, 1 },
    };

    [Theory]
    [MemberData(nameof(RefusedUserRanges))]
    public void User_ranges_outside_the_table_are_refused(string what, ulong address, ulong length)
    {
        _ = what;
        Assert.False(_map.TryTranslateUserAddress(address, length, out nint host, out _));
        Assert.Equal(0, host);
    }

    public static TheoryData<string, ulong, ulong, ulong, ulong, MemoryMapError> BadRegions => new()
    {
        { "size 0", 0x100_0000, 0, 0x1000, 0, MemoryMapError.EmptyRegion },
        { "overlaps the low region", RegionSize - 0x1000, 0x2000, 0x9000_0000, 0, MemoryMapError.Overlap },
        { "guest-physical end wraps", ulong.MaxValue - 0xFFF, 0x2000, 0x9000_0000, 0, MemoryMapError.AddressOverflow },
        { "user end wraps", 0x200_0000, 0x2000, ulong.MaxValue - 0xFFF, 0, MemoryMapError.AddressOverflow },
        { "mmap offset wraps", 0x200_0000, 0x2000, 0x9000_0000, ulong.MaxValue - 0xFFF, MemoryMapError.AddressOverflow },
        { "larger than the fd", 0x200_0000, 0x2_0000, 0x9000_0000, 0, MemoryMapError.FileTooSmall },
        { "offset past the fd's end", 0x200_0000, 0x1000, 0x9000_0000, 0x10000, MemoryMapError.FileTooSmall },
    };

    [Theory]
    [MemberData(nameof(BadRegions))]
    public void Bad_regions_are_refused_without_touching_the_table(string what, ulong guestPhysical, ulong size, ulong user,
        ulong mmapOffset, MemoryMapError expected)
    {
        _ = what;
        using var fd = MemFd.Create("extra", 0x10000);
        Assert.Equal(expected, _map.TryAdd(new MemoryRegion(guestPhysical, size, user, mmapOffset), fd));
        Assert.Equal(2, _map.Regions.Count);
    }

    [Fact]
    public void A_table_is_mapped_whole_or_not_at_all()
    {
        var before = FdAccounting.Snapshot();
        using (var good = MemFd.Create("good", 0x1000))
        using (var small = MemFd.Create("small", 0x1000))
        {
            MemoryRegion[] regions = [new(0, 0x1000, 0x1000, 0), new(0x1000, 0x2000, 0x2000, 0)];
            Assert.Equal(MemoryMapError.FileTooSmall, GuestMemoryMap.TryCreate(regions, [good, small], 8, out var map));
            Assert.Null(map);
            Assert.Equal(MemoryMapError.FdCountMismatch, GuestMemoryMap.TryCreate(regions, [good], 8, out _));
            Assert.Equal(MemoryMapError.TooManyRegions, GuestMemoryMap.TryCreate(regions, [good, small], 1, out _));
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Fact]
    public void Mapped_files_are_sealed_against_shrinking_and_files_that_refuse_the_seal_are_refused()
    {
        Assert.True((MemFd.GetSeals(_low) & MemFdSeals.Shrink) != 0);
        Assert.True((MemFd.GetSeals(_high) & MemFdSeals.Shrink) != 0);
        using var unsealable = MemFd.Create("unsealable", 0x1000, allowSealing: false);
        Assert.Equal(MemoryMapError.Truncatable, _map.TryAdd(new MemoryRegion(0x200_0000, 0x1000, 0x9000_0000, 0), unsealable));
        Assert.Equal(2, _map.Regions.Count);
    }

    [Fact]
    public void Removing_a_region_takes_its_addresses_away()
    {
        Assert.Equal(MemoryMapError.NotFound, _map.TryRemove(HighBase, RegionSize - 1));
        Assert.Equal(MemoryMapError.None, _map.TryRemove(HighBase, RegionSize));
        Assert.False(_map.TryGetSpan(HighBase, 1, out _));
        Assert.True(_map.TryGetSpan(LowBase, 1, out _));
    }

    [Fact]
    public void The_region_limit_holds_for_added_regions()
    {
        using var limited = new GuestMemoryMap(maxRegions: 1);
        using var fd = MemFd.Create("slot", 0x1000);
        Assert.Equal(MemoryMapError.None, limited.TryAdd(new MemoryRegion(0, 0x1000, 0x1000, 0), fd));
        Assert.Equal(MemoryMapError.TooManyRegions, limited.TryAdd(new MemoryRegion(0x1000, 0x1000, 0x2000, 0), fd));
    }
}

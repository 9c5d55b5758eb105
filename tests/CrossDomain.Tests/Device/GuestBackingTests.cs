using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class GuestBackingTests : IDisposable
{
    private readonly MemfdGuestMemory _memory = new();

    public void Dispose() => _memory.Dispose();

    [Fact]
    public void Reads_and_writes_cross_entry_boundaries_as_one_byte_range()
    {
        var backing = Create(Entry(DeviceHarness.GuestPage(9), 10), Entry(DeviceHarness.GuestPage(3), 7), Entry(DeviceHarness.GuestPage(5), 20));
        Assert.Equal(37ul, backing.Length);
        var source = Enumerable.Range(1, 37).Select(value => (byte)value).ToArray();

        Assert.True(backing.TryWrite(_memory, 0, source));
        Assert.Equal(source[..10], _memory.At(DeviceHarness.GuestPage(9), 10).ToArray());
        Assert.Equal(source[10..17], _memory.At(DeviceHarness.GuestPage(3), 7).ToArray());
        Assert.Equal(source[17..], _memory.At(DeviceHarness.GuestPage(5), 20).ToArray());

        var middle = new byte[20];
        Assert.True(backing.TryRead(_memory, 8, middle));
        Assert.Equal(source[8..28], middle);
    }

    [Fact]
    public void Ranges_outside_the_backing_or_guest_memory_are_refused()
    {
        var backing = Create(Entry(DeviceHarness.GuestPage(0), 16), Entry(MemfdGuestMemory.End - 8, 16));
        var buffer = new byte[8];
        Assert.True(backing.TryRead(_memory, 8, buffer));
        Assert.True(backing.TryRead(_memory, 16, buffer));
        Assert.False(backing.TryRead(_memory, 20, buffer), "the second entry runs past guest memory");
        Assert.False(backing.TryRead(_memory, 30, buffer));
        Assert.False(backing.TryRead(_memory, ulong.MaxValue, buffer));
        Assert.False(backing.TryWrite(_memory, 32, [1]));
    }

    [Fact]
    public void A_contiguous_span_is_given_only_inside_one_entry()
    {
        var backing = Create(Entry(DeviceHarness.GuestPage(1), 4096), Entry(DeviceHarness.GuestPage(7), 4096));
        Assert.True(backing.TryGetContiguousSpan(_memory, 4096, 4096, out var second));
        second[0] = 0x5A;
        Assert.Equal(0x5A, _memory.At(DeviceHarness.GuestPage(7), 1)[0]);
        Assert.False(backing.TryGetContiguousSpan(_memory, 4000, 200, out _));
    }

    [Fact]
    public void Empty_zero_length_and_wrapping_entry_lists_are_refused()
    {
        Assert.Equal(DeviceRefusal.BadMemoryEntry, GuestBacking.TryCreate([], out _));
        Assert.Equal(DeviceRefusal.BadMemoryEntry, GuestBacking.TryCreate([Entry(DeviceHarness.GuestPage(0), 0)], out _));
        Assert.Equal(DeviceRefusal.BadMemoryEntry, GuestBacking.TryCreate([Entry(ulong.MaxValue - 10, 4096)], out _));
    }

    private static GuestBacking Create(params MemoryEntry[] entries)
    {
        Assert.Equal(DeviceRefusal.None, GuestBacking.TryCreate(entries, out var backing));
        return backing!;
    }
}

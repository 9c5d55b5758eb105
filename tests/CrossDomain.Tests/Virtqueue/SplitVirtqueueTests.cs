using System.Buffers.Binary;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Virtqueue;

namespace CrossDomain.Tests.Virtqueue;

/// <summary>Our driver side against our device side, sharing one guest RAM.</summary>
public sealed class SplitVirtqueueTests : IDisposable
{
    private readonly GuestRam _ram = new(1 << 20);

    public void Dispose() => _ram.Dispose();

    private (SplitVirtqueueDriver Driver, SplitVirtqueue Device) CreateQueue(ushort size, bool eventIndex, bool indirect)
    {
        var driver = new SplitVirtqueueDriver(_ram, size, eventIndex, indirect);
        return (driver, new SplitVirtqueue(driver.Addresses, _ram, eventIndex));
    }

    private (ulong Request, ulong Response) Buffers(string request)
    {
        ulong requestAddress = _ram.Allocate(4096);
        ulong responseAddress = _ram.Allocate(4096);
        System.Text.Encoding.ASCII.GetBytes(request, _ram.GetSpan(requestAddress, request.Length));
        return (requestAddress, responseAddress);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Requests_and_responses_cross_in_both_directions_many_times_around_the_ring(bool eventIndex, bool indirect)
    {
        var (driver, device) = CreateQueue(4, eventIndex, indirect);
        var (request, response) = Buffers("ping-0123456789");
        for (int round = 0; round < 3 * driver.Size; round++)
        {
            // The request is split unevenly across two descriptors, as Linux may do.
            Assert.True(driver.TryAdd(
                [new(request, 5, false), new(request + 5, 10, false), new(response, 64, true)], token: round));
            Assert.True(driver.NeedsKick());

            Assert.True(device.TryPop(out var chain));
            Assert.Equal(ChainError.None, chain.Error);
            Assert.Equal(15, chain.ReadableLength);
            Assert.Equal(64, chain.WritableLength);
            var readable = new byte[chain.ReadableLength];
            Assert.Equal(15, chain.CopyReadable(_ram, readable));
            Assert.Equal("ping-0123456789", System.Text.Encoding.ASCII.GetString(readable));
            Assert.Equal(4, chain.WriteWritable(_ram, "pong"u8));
            device.PushUsed(chain.Head, 4);
            Assert.True(device.ShouldNotify());
            Assert.False(device.TryPop(out _));
            // What a device does before it sleeps, and a driver when it runs dry: ask for the next event.
            Assert.False(device.EnableKicksAndRecheck());

            Assert.True(driver.TryTakeUsed(out var token, out uint written));
            Assert.False(driver.TryTakeUsed(out _, out _));
            Assert.Equal(round, token);
            Assert.Equal(4u, written);
            Assert.Equal("pong"u8.ToArray(), _ram.GetSpan(response, 4).ToArray());
        }
        Assert.Equal(driver.Size, driver.FreeDescriptors);
    }

    [Fact]
    public void A_full_ring_refuses_more_until_the_device_returns_chains()
    {
        var (driver, device) = CreateQueue(4, eventIndex: false, indirect: false);
        var (request, response) = Buffers("x");
        Assert.True(driver.TryAdd([new(request, 1, false), new(response, 8, true)], 1));
        Assert.True(driver.TryAdd([new(request, 1, false), new(response, 8, true)], 2));
        Assert.False(driver.TryAdd([new(request, 1, false), new(response, 8, true)], 3));
        Assert.True(device.TryPop(out var chain));
        device.PushUsed(chain.Head, 0);
        Assert.True(driver.TryTakeUsed(out var token, out _));
        Assert.Equal(1, token);
        Assert.True(driver.TryAdd([new(request, 1, false), new(response, 8, true)], 3));
    }

    [Fact]
    public void With_event_idx_the_device_interrupts_only_when_the_driver_asked()
    {
        var (driver, device) = CreateQueue(8, eventIndex: true, indirect: false);
        var (request, response) = Buffers("x");
        // The driver asks for an interrupt at the next used entry only when it runs dry.
        Assert.False(driver.TryTakeUsed(out _, out _));
        for (int i = 0; i < 3; i++) driver.TryAdd([new(request, 1, false), new(response, 8, true)], i);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(device.TryPop(out var chain));
            device.PushUsed(chain.Head, 0);
        }
        Assert.True(device.ShouldNotify());
        // Nothing new was pushed since: no second interrupt.
        Assert.False(device.ShouldNotify());
        Assert.True(driver.TryTakeUsed(out _, out _));
        // used_event still points at entry 0, which is behind: pushing more needs no interrupt.
        driver.TryAdd([new(request, 1, false), new(response, 8, true)], 3);
        Assert.True(device.TryPop(out var next));
        device.PushUsed(next.Head, 0);
        Assert.False(device.ShouldNotify());
    }

    [Fact]
    public void With_event_idx_the_driver_kicks_only_past_the_devices_avail_event()
    {
        var (driver, device) = CreateQueue(8, eventIndex: true, indirect: false);
        var (request, response) = Buffers("x");
        Assert.False(device.EnableKicksAndRecheck());
        driver.TryAdd([new(request, 1, false), new(response, 8, true)], 0);
        Assert.True(driver.NeedsKick());
        driver.TryAdd([new(request, 1, false), new(response, 8, true)], 1);
        // The device has not re-armed since, so it will see entry 1 without a kick.
        Assert.False(driver.NeedsKick());
        Assert.True(device.EnableKicksAndRecheck());
    }

    // Raw rings, for chains our own driver would never build.
    private SplitVirtqueue RawQueue(ushort size, out Span<byte> table)
    {
        var driver = new SplitVirtqueueDriver(_ram, size, eventIndex: false, useIndirect: false);
        table = _ram.GetSpan(driver.Addresses.DescriptorTable, size * 16);
        return new SplitVirtqueue(driver.Addresses, _ram, eventIndex: false);
    }

    private static void Descriptor(Span<byte> table, int index, ulong address, uint length, ushort flags, ushort next = 0)
    {
        var bytes = table.Slice(index * 16, 16);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, address);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[12..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[14..], next);
    }

    private void MakeAvailable(SplitVirtqueue device, params ushort[] heads)
    {
        var avail = _ram.GetSpan(device.Addresses.AvailRing, VringLayout.AvailRingBytes(device.Size));
        ushort index = BinaryPrimitives.ReadUInt16LittleEndian(avail[2..]);
        foreach (var head in heads)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(avail[VringLayout.AvailEntryOffset(index % device.Size)..], head);
            index++;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], index);
    }

    public static TheoryData<string, ChainError> MalformedChains => new()
    {
        { "head out of range", ChainError.HeadOutOfRange },
        { "next out of range", ChainError.NextOutOfRange },
        { "loop", ChainError.TooLong },
        { "address outside guest memory", ChainError.AddressOutOfRange },
        { "length running off the end of guest memory", ChainError.AddressOutOfRange },
        { "address overflow", ChainError.AddressOutOfRange },
        { "readable after writable", ChainError.ReadableAfterWritable },
        { "indirect inside indirect", ChainError.NestedIndirect },
        { "indirect table of 15 bytes", ChainError.BadIndirectTable },
        { "indirect table outside guest memory", ChainError.AddressOutOfRange },
        { "indirect with next", ChainError.NestedIndirect },
    };

    [Theory]
    [MemberData(nameof(MalformedChains))]
    public void Malformed_chains_are_rejected_and_the_queue_keeps_serving(string shape, ChainError expected)
    {
        var device = RawQueue(8, out var table);
        ulong good = _ram.Allocate(4096);
        ulong indirect = _ram.Allocate(4096);
        var indirectTable = _ram.GetSpan(indirect, 64);
        ulong end = _ram.BaseAddress + (ulong)_ram.Size;
        ushort head = 0;
        switch (shape)
        {
            case "head out of range": head = 200; break;
            case "next out of range": Descriptor(table, 0, good, 8, VringLayout.DescriptorFlagNext, next: 9); break;
            case "loop":
                Descriptor(table, 0, good, 8, VringLayout.DescriptorFlagNext, next: 1);
                Descriptor(table, 1, good, 8, VringLayout.DescriptorFlagNext, next: 0);
                break;
            case "address outside guest memory": Descriptor(table, 0, 0x1000, 8, 0); break;
            case "length running off the end of guest memory": Descriptor(table, 0, end - 4, 8, 0); break;
            case "address overflow": Descriptor(table, 0, ulong.MaxValue - 2, 8, 0); break;
            case "readable after writable":
                Descriptor(table, 0, good, 8, VringLayout.DescriptorFlagWrite | VringLayout.DescriptorFlagNext, next: 1);
                Descriptor(table, 1, good, 8, 0);
                break;
            case "indirect inside indirect":
                Descriptor(indirectTable, 0, indirect, 16, VringLayout.DescriptorFlagIndirect);
                Descriptor(table, 0, indirect, 16, VringLayout.DescriptorFlagIndirect);
                break;
            case "indirect table of 15 bytes": Descriptor(table, 0, indirect, 15, VringLayout.DescriptorFlagIndirect); break;
            case "indirect table outside guest memory": Descriptor(table, 0, 0x2000, 32, VringLayout.DescriptorFlagIndirect); break;
            case "indirect with next": Descriptor(table, 0, indirect, 16, VringLayout.DescriptorFlagIndirect | VringLayout.DescriptorFlagNext, next: 1); break;
        }
        Descriptor(table, 5, good, 8, 0);
        MakeAvailable(device, head, 5);

        Assert.True(device.TryPop(out var bad));
        Assert.Equal(expected, bad.Error);
        device.PushUsed(bad.Head, 0);
        Assert.True(device.TryPop(out var next));
        Assert.Equal(ChainError.None, next.Error);
        Assert.Equal(8, next.ReadableLength);
    }

    [Fact]
    public void A_chain_adding_up_to_more_than_2_GiB_is_refused_not_thrown()
    {
        using var ram = new GuestRam(4 << 20);
        var driver = new SplitVirtqueueDriver(ram, 8, eventIndex: false, useIndirect: false);
        var device = new SplitVirtqueue(driver.Addresses, ram, eventIndex: false);
        // 1,024 indirect descriptors, each naming the same 3 MiB: 3 GiB that fit in 4 MiB of RAM.
        ulong buffer = ram.Allocate(3 << 20);
        ulong indirect = ram.Allocate(1024 * 16);
        var indirectTable = ram.GetSpan(indirect, 1024 * 16);
        for (int i = 0; i < 1024; i++)
            Descriptor(indirectTable, i, buffer, 3 << 20, i < 1023 ? VringLayout.DescriptorFlagNext : (ushort)0, (ushort)(i + 1));
        Descriptor(ram.GetSpan(driver.Addresses.DescriptorTable, 8 * 16), 0, indirect, 1024 * 16, VringLayout.DescriptorFlagIndirect);
        var avail = ram.GetSpan(driver.Addresses.AvailRing, VringLayout.AvailRingBytes(8));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], 1);

        Assert.True(device.TryPop(out var chain));
        Assert.Equal(ChainError.TooLarge, chain.Error);
    }

    [Fact]
    public void Zero_length_descriptors_are_skipped()
    {
        var device = RawQueue(8, out var table);
        ulong buffer = _ram.Allocate(4096);
        Descriptor(table, 0, buffer, 0, VringLayout.DescriptorFlagNext, next: 1);
        Descriptor(table, 1, buffer, 8, 0);
        MakeAvailable(device, 0);
        Assert.True(device.TryPop(out var chain));
        Assert.Equal(ChainError.None, chain.Error);
        Assert.Single(chain.Segments);
    }

    [Fact]
    public void A_driver_claiming_more_entries_than_the_ring_holds_gets_nothing_served()
    {
        var device = RawQueue(8, out _);
        var avail = _ram.GetSpan(device.Addresses.AvailRing, VringLayout.AvailRingBytes(8));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], 100);
        Assert.False(device.TryPop(out var chain));
        Assert.Equal(ChainError.RingOutOfRange, chain.Error);
    }

    [Fact]
    public void An_avail_index_more_than_the_ring_size_ahead_breaks_the_queue_until_it_is_set_up_again()
    {
        var device = RawQueue(8, out var table);
        ulong buffer = _ram.Allocate(4096);
        Descriptor(table, 0, buffer, 8, 0);
        MakeAvailable(device, 0);
        Assert.True(device.TryPop(out var first));
        device.PushUsed(first.Head, 0);
        Assert.False(device.EnableKicksAndRecheck());

        var avail = _ram.GetSpan(device.Addresses.AvailRing, VringLayout.AvailRingBytes(8));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], (ushort)(device.NextAvail + device.Size + 1));
        Assert.False(device.TryPop(out _));
        Assert.True(device.IsBroken);
        Assert.Equal(RingError.AvailIndexTooFarAhead, device.BrokenReason);
        Assert.False(device.EnableKicksAndRecheck());

        // The driver puts a sane index back with a good entry: the broken ring is not trusted again.
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], device.NextAvail);
        MakeAvailable(device, 0);
        for (int kick = 0; kick < 3; kick++)
        {
            Assert.False(device.TryPop(out _));
            Assert.False(device.EnableKicksAndRecheck());
        }
        Assert.True(device.IsBroken);

        // What a restart of the vring makes: a new queue from where the old one stopped.
        var restarted = new SplitVirtqueue(device.Addresses, _ram, eventIndex: false, device.NextAvail);
        Assert.False(restarted.IsBroken);
        Assert.True(restarted.TryPop(out var chain));
        Assert.Equal(ChainError.None, chain.Error);
    }

    [Fact]
    public void The_recheck_before_sleeping_breaks_the_queue_on_a_runaway_avail_index()
    {
        var device = RawQueue(8, out _);
        var avail = _ram.GetSpan(device.Addresses.AvailRing, VringLayout.AvailRingBytes(8));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[2..], (ushort)(device.Size + 1));
        Assert.False(device.EnableKicksAndRecheck());
        Assert.Equal(RingError.AvailIndexTooFarAhead, device.BrokenReason);
        Assert.False(device.TryPop(out _));
    }

    [Fact]
    public void Rings_outside_guest_memory_are_reported_not_dereferenced()
    {
        var device = new SplitVirtqueue(new VringAddresses(8, 0x10, 0x200, 0x400), _ram, eventIndex: false);
        Assert.False(device.RingsAccessible);
        Assert.False(device.TryPop(out _));
        Assert.Equal(RingError.OutsideGuestMemory, device.BrokenReason);
        Assert.False(device.EnableKicksAndRecheck());
        device.PushUsed(0, 0);
    }
}

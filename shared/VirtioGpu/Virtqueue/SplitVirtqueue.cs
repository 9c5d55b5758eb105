using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.VirtioGpu.Virtqueue;

/// <summary>
/// The device side of a split virtqueue. Everything it reads from guest memory is checked: the
/// ring areas when the queue is set up, every descriptor index, address and length as chains are
/// walked. A bad chain is reported and can be returned unused; it never breaks the queue. A bad
/// ring does (<see cref="IsBroken"/>). Indirect descriptors are always accepted: QEMU lets the
/// guest negotiate them whatever the back-end offered.
/// </summary>
public sealed class SplitVirtqueue
{
    /// <summary>Descriptors one chain may use, indirect tables included; bounds the work per chain.</summary>
    public const int MaxChainLength = 1024;

    private readonly DescriptorChain _chain = new();
    private ushort _nextAvail;
    private ushort _nextUsed;
    private ushort _lastNotifiedUsed;

    public SplitVirtqueue(VringAddresses addresses, IGuestMemory memory, bool eventIndex, ushort nextAvail = 0)
    {
        if (!VringLayout.IsValidSize(addresses.Size)) throw new ArgumentException($"Queue size {addresses.Size} is not a power of two up to {VringLayout.MaxQueueSize}.");
        Addresses = addresses;
        Memory = memory;
        EventIndex = eventIndex;
        _nextAvail = nextAvail;
        _nextUsed = _lastNotifiedUsed = nextAvail;
    }

    public VringAddresses Addresses { get; }

    public ushort Size => Addresses.Size;

    /// <summary>The memory the rings live in; replaced when the front-end sends a new memory table.</summary>
    public IGuestMemory Memory { get; set; }

    public bool EventIndex { get; }

    /// <summary>The next available-ring entry to take (what GET_VRING_BASE reports).</summary>
    public ushort NextAvail => _nextAvail;

    /// <summary>Why the queue stopped serving the ring; <see cref="RingError.None"/> while it works.</summary>
    public RingError BrokenReason { get; private set; }

    /// <summary>
    /// Whether the ring is unusable and ignored from here on: nothing is popped, pushed or re-checked.
    /// virtio would have the device set DEVICE_NEEDS_RESET; vhost-user gives the back-end no message
    /// to set a status bit, so the ring stays stopped until the front-end sets it up again (a new
    /// queue). Otherwise the driver could keep the device busy re-reading a ring it can never serve.
    /// </summary>
    public bool IsBroken => BrokenReason != RingError.None;

    /// <summary>Whether the ring areas lie inside guest memory.</summary>
    internal bool RingsAccessible =>
        Memory.TryGetSpan(Addresses.DescriptorTable, (uint)VringLayout.DescriptorTableBytes(Size), out _)
        && Memory.TryGetSpan(Addresses.AvailRing, (uint)VringLayout.AvailRingBytes(Size), out _)
        && Memory.TryGetSpan(Addresses.UsedRing, (uint)VringLayout.UsedRingBytes(Size), out _);

    /// <summary>
    /// Takes the next chain the driver made available. Returns false when there is none. A chain
    /// with <see cref="DescriptorChain.Error"/> set must still be returned (with length 0) through
    /// <see cref="PushUsed"/> so the driver gets its descriptors back. The chain object is reused
    /// by the next call.
    /// </summary>
    public bool TryPop(out DescriptorChain chain)
    {
        chain = _chain;
        if (IsBroken) return Fail(chain, ChainError.RingOutOfRange, head: 0);
        if (!TryGetAvail(out var avail)) return Break(chain, RingError.OutsideGuestMemory);
        ushort availIndex = Volatile.Read(ref VringLayout.Field(avail, 2));
        if (availIndex == _nextAvail) return false;
        if (IsTooFarAhead(availIndex)) return Break(chain, RingError.AvailIndexTooFarAhead);

        ushort head = BinaryPrimitives.ReadUInt16LittleEndian(avail[VringLayout.AvailEntryOffset(_nextAvail % Size)..]);
        _nextAvail++;
        chain.Reset(head);
        if (head >= Size) return Fail(chain, ChainError.HeadOutOfRange, head);
        chain.Error = Walk(chain, head);
        return true;
    }

    /// <summary>Returns a chain to the driver with the number of bytes the device wrote into it.</summary>
    public void PushUsed(ushort head, uint writtenLength)
    {
        if (IsBroken || !Memory.TryGetSpan(Addresses.UsedRing, (uint)VringLayout.UsedRingBytes(Size), out var used)) return;
        var entry = used[VringLayout.UsedEntryOffset(_nextUsed % Size)..];
        BinaryPrimitives.WriteUInt32LittleEndian(entry, head);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], writtenLength);
        _nextUsed++;
        // Release: the entry must be visible before the index that publishes it.
        Volatile.Write(ref VringLayout.Field(used, 2), _nextUsed);
    }

    /// <summary>
    /// Whether the driver wants an interrupt for what was pushed since the last notification.
    /// Asking too often only costs an interrupt; too rarely would hang the guest.
    /// </summary>
    public bool ShouldNotify()
    {
        if (IsBroken || _nextUsed == _lastNotifiedUsed) return false;
        if (!TryGetAvail(out var avail)) return true;
        // The driver's event index must be read after our used.idx store is visible.
        Interlocked.MemoryBarrier();
        bool notify = EventIndex
            ? VringLayout.NeedsEvent(Volatile.Read(ref VringLayout.Field(avail, VringLayout.UsedEventOffset(Size))), _nextUsed, _lastNotifiedUsed)
            : (Volatile.Read(ref VringLayout.Field(avail, 0)) & VringLayout.AvailFlagNoInterrupt) == 0;
        _lastNotifiedUsed = _nextUsed;
        return notify;
    }

    /// <summary>
    /// Before the device goes idle: tells the driver to kick for the next entry, then re-checks,
    /// because an entry made available between our last look and the store gets no kick.
    /// Returns true when more work is already there; false once the ring is broken (this may be what finds it so).
    /// </summary>
    public bool EnableKicksAndRecheck()
    {
        if (IsBroken) return false;
        if (!TryGetAvail(out var avail) || !Memory.TryGetSpan(Addresses.UsedRing, (uint)VringLayout.UsedRingBytes(Size), out var used))
        {
            BrokenReason = RingError.OutsideGuestMemory;
            return false;
        }
        if (EventIndex) Volatile.Write(ref VringLayout.Field(used, VringLayout.AvailEventOffset(Size)), _nextAvail);
        else Volatile.Write(ref VringLayout.Field(used, 0), (ushort)0);
        Interlocked.MemoryBarrier();
        ushort availIndex = Volatile.Read(ref VringLayout.Field(avail, 2));
        if (IsTooFarAhead(availIndex))
        {
            BrokenReason = RingError.AvailIndexTooFarAhead;
            return false;
        }
        return availIndex != _nextAvail;
    }

    // A driver claiming more new entries than the ring holds is broken; nothing it says is usable.
    private bool IsTooFarAhead(ushort availIndex) => (ushort)(availIndex - _nextAvail) > Size;

    private bool Break(DescriptorChain chain, RingError reason)
    {
        BrokenReason = reason;
        return Fail(chain, ChainError.RingOutOfRange, head: 0);
    }

    private ChainError Walk(DescriptorChain chain, ushort head)
    {
        if (!Memory.TryGetSpan(Addresses.DescriptorTable, (uint)VringLayout.DescriptorTableBytes(Size), out var table))
            return ChainError.RingOutOfRange;

        int visited = 0;
        ushort index = head;
        while (true)
        {
            if (++visited > Math.Min((int)Size, MaxChainLength)) return ChainError.TooLong;
            var descriptor = Descriptor.Read(table, index);
            if ((descriptor.Flags & VringLayout.DescriptorFlagIndirect) != 0)
            {
                var error = WalkIndirect(chain, descriptor, ref visited);
                if (error != ChainError.None) return error;
                // An indirect descriptor ends the chain in the main table (virtio 1.x 2.7.5.3.1).
                return ChainError.None;
            }
            var added = AddSegment(chain, descriptor);
            if (added != ChainError.None) return added;
            if ((descriptor.Flags & VringLayout.DescriptorFlagNext) == 0) return ChainError.None;
            if (descriptor.Next >= Size) return ChainError.NextOutOfRange;
            index = descriptor.Next;
        }
    }

    private ChainError WalkIndirect(DescriptorChain chain, Descriptor indirect, ref int visited)
    {
        if ((indirect.Flags & VringLayout.DescriptorFlagNext) != 0) return ChainError.NestedIndirect;
        if (indirect.Length == 0 || indirect.Length % VringLayout.DescriptorSize != 0 || indirect.Length / VringLayout.DescriptorSize > MaxChainLength)
            return ChainError.BadIndirectTable;
        if (!Memory.TryGetSpan(indirect.Address, indirect.Length, out var table)) return ChainError.AddressOutOfRange;

        int count = (int)(indirect.Length / VringLayout.DescriptorSize);
        ushort index = 0;
        while (true)
        {
            if (++visited > MaxChainLength) return ChainError.TooLong;
            var descriptor = Descriptor.Read(table, index);
            if ((descriptor.Flags & VringLayout.DescriptorFlagIndirect) != 0) return ChainError.NestedIndirect;
            var added = AddSegment(chain, descriptor);
            if (added != ChainError.None) return added;
            if ((descriptor.Flags & VringLayout.DescriptorFlagNext) == 0) return ChainError.None;
            if (descriptor.Next >= count) return ChainError.NextOutOfRange;
            index = descriptor.Next;
        }
    }

    private ChainError AddSegment(DescriptorChain chain, Descriptor descriptor)
    {
        bool writable = (descriptor.Flags & VringLayout.DescriptorFlagWrite) != 0;
        if (!writable && chain.WritableLength > 0) return ChainError.ReadableAfterWritable;
        // Zero-length buffers carry nothing; skipping them keeps them out of every later copy.
        if (descriptor.Length == 0) return ChainError.None;
        if (!Memory.TryGetSpan(descriptor.Address, descriptor.Length, out _)) return ChainError.AddressOutOfRange;
        if (chain.TotalLength + descriptor.Length > int.MaxValue) return ChainError.TooLarge;
        chain.Add(new DescriptorSegment(descriptor.Address, descriptor.Length, writable));
        return ChainError.None;
    }

    private bool TryGetAvail(out Span<byte> avail) =>
        Memory.TryGetSpan(Addresses.AvailRing, (uint)VringLayout.AvailRingBytes(Size), out avail);

    private static bool Fail(DescriptorChain chain, ChainError error, ushort head)
    {
        chain.Reset(head);
        chain.Error = error;
        return error != ChainError.RingOutOfRange;
    }

    private readonly record struct Descriptor(ulong Address, uint Length, ushort Flags, ushort Next)
    {
        public static Descriptor Read(Span<byte> table, int index)
        {
            var bytes = table.Slice(index * VringLayout.DescriptorSize, VringLayout.DescriptorSize);
            return new Descriptor(
                BinaryPrimitives.ReadUInt64LittleEndian(bytes),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
                BinaryPrimitives.ReadUInt16LittleEndian(bytes[12..]),
                BinaryPrimitives.ReadUInt16LittleEndian(bytes[14..]));
        }
    }
}

/// <summary>Why a <see cref="SplitVirtqueue"/> stopped serving its ring.</summary>
public enum RingError
{
    None,
    /// <summary>The available index ran more than the ring size past the last entry taken.</summary>
    AvailIndexTooFarAhead,
    /// <summary>The available or used ring is not in guest memory.</summary>
    OutsideGuestMemory,
}

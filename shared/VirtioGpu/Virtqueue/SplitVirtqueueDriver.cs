using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.VirtioGpu.Virtqueue;

/// <summary>
/// The driver side of a split virtqueue, in <see cref="GuestRam"/>: what the Linux virtio driver
/// does for a real VM, here for local mode and tests. Not thread-safe: one owner adds and reaps.
/// </summary>
public sealed class SplitVirtqueueDriver : IDisposable
{
    /// <summary>Segments per indirect table (the virtio-gpu driver needs 3: command, payload, response).</summary>
    public const int MaxIndirectSegments = 16;

    private readonly GuestRam _ram;
    private readonly ulong _areaAddress;
    private readonly long _areaLength;
    private readonly ulong _indirectTables;
    private readonly Stack<ushort> _freeDescriptors = new();
    private readonly object?[] _tokens;
    private readonly ushort[] _descriptorCounts;
    private ushort _nextAvail;
    private ushort _lastKickedAvail;
    private ushort _nextUsed;

    public SplitVirtqueueDriver(GuestRam ram, ushort size, bool eventIndex, bool useIndirect)
    {
        if (!VringLayout.IsValidSize(size)) throw new ArgumentException($"Queue size {size} is not a power of two.", nameof(size));
        _ram = ram;
        EventIndex = eventIndex;
        UseIndirect = useIndirect;
        int descriptorBytes = VringLayout.DescriptorTableBytes(size);
        int availBytes = VringLayout.AvailRingBytes(size);
        int usedOffset = Align(descriptorBytes + availBytes, VringLayout.UsedRingAlignment);
        long indirectOffset = Align(usedOffset + VringLayout.UsedRingBytes(size), VringLayout.DescriptorTableAlignment);
        _areaLength = indirectOffset + (useIndirect ? (long)size * MaxIndirectSegments * VringLayout.DescriptorSize : 0);
        _areaAddress = ram.Allocate(_areaLength);
        Addresses = new VringAddresses(size, _areaAddress, _areaAddress + (ulong)descriptorBytes, _areaAddress + (ulong)usedOffset);
        _indirectTables = _areaAddress + (ulong)indirectOffset;
        _tokens = new object?[size];
        _descriptorCounts = new ushort[size];
        for (int i = size - 1; i >= 0; i--) _freeDescriptors.Push((ushort)i);
    }

    public VringAddresses Addresses { get; }

    public ushort Size => Addresses.Size;

    public bool EventIndex { get; }

    public bool UseIndirect { get; }

    internal int FreeDescriptors => _freeDescriptors.Count;

    /// <summary>Chains made available and not yet returned.</summary>
    public int InFlight { get; private set; }

    /// <summary>
    /// Makes a chain available: <paramref name="segments"/> with the device-readable ones first.
    /// Returns false when the ring has no room (the caller waits for used entries).
    /// </summary>
    public bool TryAdd(ReadOnlySpan<DescriptorSegment> segments, object token)
    {
        if (segments.IsEmpty) throw new ArgumentException("A chain needs at least one segment.", nameof(segments));
        int needed = UseIndirect ? 1 : segments.Length;
        if (UseIndirect && segments.Length > MaxIndirectSegments) throw new ArgumentException($"At most {MaxIndirectSegments} segments per indirect chain.", nameof(segments));
        if (_freeDescriptors.Count < needed) return false;

        var table = _ram.GetSpan(Addresses.DescriptorTable, VringLayout.DescriptorTableBytes(Size));
        ushort head;
        if (UseIndirect)
        {
            head = _freeDescriptors.Pop();
            ulong indirectAddress = _indirectTables + (ulong)(head * MaxIndirectSegments * VringLayout.DescriptorSize);
            var indirect = _ram.GetSpan(indirectAddress, segments.Length * VringLayout.DescriptorSize);
            for (int i = 0; i < segments.Length; i++)
                WriteDescriptor(indirect, i, segments[i], i + 1 < segments.Length ? (ushort)(i + 1) : null);
            WriteDescriptor(table, head, new DescriptorSegment(indirectAddress, (uint)(segments.Length * VringLayout.DescriptorSize), false), next: null, VringLayout.DescriptorFlagIndirect);
        }
        else
        {
            Span<ushort> indices = stackalloc ushort[segments.Length];
            for (int i = 0; i < segments.Length; i++) indices[i] = _freeDescriptors.Pop();
            for (int i = 0; i < segments.Length; i++)
                WriteDescriptor(table, indices[i], segments[i], i + 1 < segments.Length ? indices[i + 1] : null);
            head = indices[0];
        }
        _tokens[head] = token;
        _descriptorCounts[head] = (ushort)needed;

        var avail = _ram.GetSpan(Addresses.AvailRing, VringLayout.AvailRingBytes(Size));
        BinaryPrimitives.WriteUInt16LittleEndian(avail[VringLayout.AvailEntryOffset(_nextAvail % Size)..], head);
        _nextAvail++;
        // Release: descriptors and ring entry before the index that publishes them.
        Volatile.Write(ref VringLayout.Field(avail, 2), _nextAvail);
        InFlight++;
        return true;
    }

    /// <summary>Whether the device asked to be kicked for the entries added since the last kick.</summary>
    public bool NeedsKick()
    {
        if (_nextAvail == _lastKickedAvail) return false;
        Interlocked.MemoryBarrier();
        var used = _ram.GetSpan(Addresses.UsedRing, VringLayout.UsedRingBytes(Size));
        bool kick = EventIndex
            ? VringLayout.NeedsEvent(Volatile.Read(ref VringLayout.Field(used, VringLayout.AvailEventOffset(Size))), _nextAvail, _lastKickedAvail)
            : (Volatile.Read(ref VringLayout.Field(used, 0)) & VringLayout.UsedFlagNoNotify) == 0;
        _lastKickedAvail = _nextAvail;
        return kick;
    }

    /// <summary>Takes one chain the device returned, with the bytes it wrote.</summary>
    public bool TryTakeUsed(out object? token, out uint writtenLength)
    {
        token = null;
        writtenLength = 0;
        var used = _ram.GetSpan(Addresses.UsedRing, VringLayout.UsedRingBytes(Size));
        if (Volatile.Read(ref VringLayout.Field(used, 2)) == _nextUsed)
        {
            RequestInterruptAt(_nextUsed);
            // An entry published between the look above and that store gets no interrupt: look again.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref VringLayout.Field(used, 2)) == _nextUsed) return false;
        }
        var entry = used[VringLayout.UsedEntryOffset(_nextUsed % Size)..];
        uint head = BinaryPrimitives.ReadUInt32LittleEndian(entry);
        writtenLength = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
        _nextUsed++;
        if (head >= Size || _tokens[head] is null) throw new InvalidOperationException($"The device returned descriptor {head}, which is not in flight.");
        token = _tokens[head];
        _tokens[head] = null;
        FreeChain((ushort)head);
        InFlight--;
        return true;
    }

    public void Dispose() => _ram.Free(_areaAddress, _areaLength);

    // With EVENT_IDX the device interrupts once used.idx passes used_event; asking for the very next
    // entry gives an interrupt per completion, which is what a blocking caller wants.
    private void RequestInterruptAt(ushort index)
    {
        if (!EventIndex) return;
        var avail = _ram.GetSpan(Addresses.AvailRing, VringLayout.AvailRingBytes(Size));
        Volatile.Write(ref VringLayout.Field(avail, VringLayout.UsedEventOffset(Size)), index);
    }

    private void FreeChain(ushort head)
    {
        var table = _ram.GetSpan(Addresses.DescriptorTable, VringLayout.DescriptorTableBytes(Size));
        ushort index = head;
        for (int i = 0; i < _descriptorCounts[head]; i++)
        {
            _freeDescriptors.Push(index);
            index = BinaryPrimitives.ReadUInt16LittleEndian(table[(index * VringLayout.DescriptorSize + 14)..]);
        }
    }

    private static void WriteDescriptor(Span<byte> table, int index, DescriptorSegment segment, ushort? next, ushort extraFlags = 0)
    {
        var bytes = table.Slice(index * VringLayout.DescriptorSize, VringLayout.DescriptorSize);
        ushort flags = (ushort)(extraFlags | (segment.DeviceWritable ? VringLayout.DescriptorFlagWrite : 0) | (next.HasValue ? VringLayout.DescriptorFlagNext : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, segment.Address);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], segment.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[12..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[14..], next ?? 0);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) & ~(alignment - 1);
}

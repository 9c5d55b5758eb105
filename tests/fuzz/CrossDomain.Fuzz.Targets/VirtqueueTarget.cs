using System.Buffers.Binary;
using CrossDomain.VirtioGpu.Virtqueue;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Split-ring descriptor chains: an input is a queue's set-up (size, EVENT_IDX, starting index and
/// the three ring addresses) then the bytes of guest memory from its base, where the fuzzer lays
/// out descriptor tables, indirect tables and the available ring. The device side pops every chain
/// it is offered, reads and writes it as the queue layer would, and returns it.
/// </summary>
public sealed class VirtqueueTarget : FuzzTarget
{
    private const ulong GuestBase = 0x4000_0000;
    private const int GuestLength = 64 << 10;

    public override string Name => "virtqueue";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzInput(input);
        ushort size = (ushort)(1 << (reader.Byte() % 16));
        bool eventIndex = (reader.Byte() & 1) != 0;
        ushort nextAvail = reader.UInt16();
        // Offsets from the base, so most land inside memory, but a 32-bit one can also lie past it.
        var addresses = new VringAddresses(size, GuestBase + reader.UInt32(), GuestBase + reader.UInt32(), GuestBase + reader.UInt32());
        var memory = new ArrayGuestMemory(GuestBase, GuestLength);
        reader.Take(GuestLength).CopyTo(memory.At(GuestBase, GuestLength));

        var queue = new SplitVirtqueue(addresses, memory, eventIndex, nextAvail);
        Span<byte> readable = stackalloc byte[4096];
        Span<byte> response = stackalloc byte[4096];
        response.Fill(0xA5);
        // One pass over the ring and a little more: more pops than entries means the ring is replaying itself.
        for (int popped = 0; popped <= size + 1; popped++)
        {
            if (!queue.TryPop(out var chain))
            {
                if (queue.IsBroken && queue.TryPop(out _)) throw new FuzzFindingException("a broken ring served another chain");
                break;
            }
            // Where the driver laid the used ring over the avail ring, the device's own used-ring writes
            // move the avail index: the guest's doing, and the queue layer bounds the work per turn.
            if (popped == size + 1 && !RingsOverlap(addresses)) throw new FuzzFindingException($"a ring of {size} gave more than {size} chains in one pass");
            uint written = 0;
            if (chain.Error == ChainError.None)
            {
                CheckChain(chain, memory);
                int copied = chain.CopyReadable(memory, readable);
                if (copied != Math.Min(chain.ReadableLength, readable.Length)) throw new FuzzFindingException($"copied {copied} of {chain.ReadableLength} readable bytes");
                written = (uint)chain.WriteWritable(memory, response[..Math.Min(chain.WritableLength, response.Length)]);
            }
            queue.PushUsed(chain.Head, written);
            queue.ShouldNotify();
        }
        queue.EnableKicksAndRecheck();
    }

    private static bool RingsOverlap(VringAddresses addresses) =>
        addresses.UsedRing < addresses.AvailRing + (ulong)VringLayout.AvailRingBytes(addresses.Size)
        && addresses.AvailRing < addresses.UsedRing + (ulong)VringLayout.UsedRingBytes(addresses.Size);

    /// <summary>What the queue layer relies on in a chain it was given without an error.</summary>
    private static void CheckChain(DescriptorChain chain, ArrayGuestMemory memory)
    {
        long readable = 0, writable = 0;
        bool seenWritable = false;
        foreach (var segment in chain.Segments)
        {
            if (!memory.TryGetSpan(segment.Address, segment.Length, out _)) throw new FuzzFindingException($"segment {segment} is outside guest memory");
            if (segment.DeviceWritable) { writable += segment.Length; seenWritable = true; }
            else if (seenWritable) throw new FuzzFindingException("a readable segment after a writable one");
            else readable += segment.Length;
        }
        if (readable != chain.ReadableLength || writable != chain.WritableLength)
            throw new FuzzFindingException($"lengths {chain.ReadableLength}/{chain.WritableLength}, segments add up to {readable}/{writable}");
    }

    public override IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        const uint Table = 0, Avail = 0x80, Used = 0x100, Data = 0x200, Indirect = 0x380;
        byte[] Layout(ushort size, bool eventIndex, ushort nextAvail, Action<Span<byte>> fill)
        {
            var image = new byte[0x400];
            fill(image);
            return new FuzzInputWriter().Byte((byte)ushort.Log2(size)).Byte(eventIndex ? (byte)1 : (byte)0).UInt16(nextAvail)
                .UInt32(Table).UInt32(Avail).UInt32(Used).Bytes(image).ToArray();
        }
        static void Descriptor(Span<byte> image, uint tableOffset, int index, uint address, uint length, ushort flags, ushort next)
        {
            var entry = image[(int)(tableOffset + 16 * index)..];
            BinaryPrimitives.WriteUInt64LittleEndian(entry, GuestBase + address);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[12..], flags);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[14..], next);
        }
        static void Offer(Span<byte> image, ushort firstSlot, params ushort[] heads)
        {
            for (int i = 0; i < heads.Length; i++)
                BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 4 + 2 * ((firstSlot + i) % 8))..], heads[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 2)..], (ushort)(firstSlot + heads.Length));
        }

        yield return ("request-response", Layout(8, false, 0, image =>
        {
            Descriptor(image, Table, 0, Data, 24, VringLayout.DescriptorFlagNext, 1);
            Descriptor(image, Table, 1, Data + 0x100, 24, VringLayout.DescriptorFlagWrite, 0);
            Offer(image, 0, 0);
        }));
        yield return ("two-chains-event-idx", Layout(8, true, 0, image =>
        {
            Descriptor(image, Table, 0, Data, 40, VringLayout.DescriptorFlagNext, 1);
            Descriptor(image, Table, 1, Data + 40, 16, VringLayout.DescriptorFlagNext, 2);
            Descriptor(image, Table, 2, Data + 0x100, 24, VringLayout.DescriptorFlagWrite, 0);
            Descriptor(image, Table, 3, Data + 0x200, 24, 0, 0);
            Offer(image, 0, 0, 3);
        }));
        yield return ("indirect", Layout(8, false, 0, image =>
        {
            Descriptor(image, Table, 0, Indirect, 3 * 16, VringLayout.DescriptorFlagIndirect, 0);
            Descriptor(image, Indirect, 0, Data, 32, VringLayout.DescriptorFlagNext, 1);
            Descriptor(image, Indirect, 1, Data + 32, 0, VringLayout.DescriptorFlagNext, 2);
            Descriptor(image, Indirect, 2, Data + 0x100, 64, VringLayout.DescriptorFlagWrite, 0);
            Offer(image, 0, 0);
        }));
        yield return ("wrapped-index", Layout(8, true, 0xFFFE, image =>
        {
            Descriptor(image, Table, 5, Data, 8, 0, 0);
            Descriptor(image, Table, 6, Data + 8, 8, VringLayout.DescriptorFlagWrite, 0);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 4 + 2 * 6)..], 5);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 4 + 2 * 7)..], 6);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 4)..], 5);
            BinaryPrimitives.WriteUInt16LittleEndian(image[(int)(Avail + 2)..], 1);
        }));
        yield return ("empty", Layout(1, false, 0, _ => { }));
    }
}

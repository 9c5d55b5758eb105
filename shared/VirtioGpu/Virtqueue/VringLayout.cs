namespace CrossDomain.VirtioGpu.Virtqueue;

/// <summary>
/// Where things are in a split virtqueue of <c>size</c> entries (virtio 1.x §2.7): the descriptor
/// table, the available ring (driver → device) and the used ring (device → driver), each in guest
/// memory at an address the driver chose. Sizes include the event-idx words, which are always
/// allocated whether or not EVENT_IDX is negotiated.
/// </summary>
public static class VringLayout
{
    public const int DescriptorSize = 16;
    public const ushort MaxQueueSize = 32768;

    public const ushort DescriptorFlagNext = 1;
    public const ushort DescriptorFlagWrite = 2;
    public const ushort DescriptorFlagIndirect = 4;

    /// <summary>avail.flags: the driver does not want interrupts (ignored with EVENT_IDX).</summary>
    public const ushort AvailFlagNoInterrupt = 1;

    /// <summary>used.flags: the device does not want kicks (ignored with EVENT_IDX).</summary>
    public const ushort UsedFlagNoNotify = 1;

    public const int DescriptorTableAlignment = 16;
    public const int AvailRingAlignment = 2;
    public const int UsedRingAlignment = 4;

    public static bool IsValidSize(int size) => size > 0 && size <= MaxQueueSize && (size & (size - 1)) == 0;

    public static int DescriptorTableBytes(int size) => DescriptorSize * size;

    /// <summary>flags, idx, ring[size], used_event.</summary>
    public static int AvailRingBytes(int size) => 4 + 2 * size + 2;

    /// <summary>flags, idx, ring[size] of {id, len}, avail_event.</summary>
    public static int UsedRingBytes(int size) => 4 + 8 * size + 2;

    public static int AvailEntryOffset(int slot) => 4 + 2 * slot;

    public static int UsedEventOffset(int size) => 4 + 2 * size;

    public static int UsedEntryOffset(int slot) => 4 + 8 * slot;

    public static int AvailEventOffset(int size) => 4 + 8 * size;

    /// <summary>
    /// The event-idx rule (virtio 1.x §2.7.7.2): notify when the other side's event index lies in
    /// the window of entries just published, (old, new]. Wrap-safe in 16 bits.
    /// </summary>
    /// <summary>A 16-bit ring field in place, for Volatile reads and writes shared with the other side.</summary>
    internal static ref ushort Field(Span<byte> area, int offset) =>
        ref System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(area[offset..(offset + 2)])[0];

    public static bool NeedsEvent(ushort eventIndex, ushort newIndex, ushort oldIndex) =>
        (ushort)(newIndex - eventIndex - 1) < (ushort)(newIndex - oldIndex);
}

/// <summary>The guest-physical addresses of one queue's three areas and its size.</summary>
public readonly record struct VringAddresses(ushort Size, ulong DescriptorTable, ulong AvailRing, ulong UsedRing);

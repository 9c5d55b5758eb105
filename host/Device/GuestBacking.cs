using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A resource's guest pages: the scatter list the guest gave (ATTACH_BACKING, or the entries of a
/// GUEST/HOST3D_GUEST blob), read and written as one contiguous byte range. Addresses are checked
/// against the guest memory table at each access, not when attached, because the table can change
/// in between.
/// </summary>
public sealed class GuestBacking
{
    /// <summary>Host bytes this object holds per entry (the entry and its start offset), charged to the guest.</summary>
    public const int HostBytesPerEntry = 16 + sizeof(ulong);

    private readonly MemoryEntry[] _entries;

    /// <summary>Offset, within the backing, at which each entry starts: lets an access find its first entry by binary search.</summary>
    private readonly ulong[] _entryStarts;

    private GuestBacking(MemoryEntry[] entries, ulong[] entryStarts, ulong length)
    {
        _entries = entries;
        _entryStarts = entryStarts;
        Length = length;
    }

    /// <summary>Total bytes of all entries.</summary>
    public ulong Length { get; }

    public ReadOnlySpan<MemoryEntry> Entries => _entries;

    public ulong HostBytes => (ulong)_entries.Length * HostBytesPerEntry;

    /// <summary>
    /// Copies and checks the guest's entries: at least one, none empty, none wrapping around the
    /// address space. Whether the addresses are guest RAM is checked at use.
    /// </summary>
    internal static DeviceRefusal TryCreate(ReadOnlySpan<MemoryEntry> entries, out GuestBacking? backing)
    {
        backing = null;
        if (entries.IsEmpty) return DeviceRefusal.BadMemoryEntry;
        var starts = new ulong[entries.Length];
        ulong length = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Length == 0 || entry.Address > ulong.MaxValue - entry.Length) return DeviceRefusal.BadMemoryEntry;
            starts[i] = length;
            // At most 2^32 entries of under 2^32 bytes: the sum cannot overflow 64 bits.
            length += entry.Length;
        }
        backing = new GuestBacking(entries.ToArray(), starts, length);
        return DeviceRefusal.None;
    }

    /// <summary>
    /// Copies [<paramref name="offset"/>, +destination length) of the backing into
    /// <paramref name="destination"/>; false when the range is outside the backing or any page is
    /// not in guest memory (then <paramref name="destination"/> may be partly written).
    /// </summary>
    public bool TryRead(IGuestMemory memory, ulong offset, Span<byte> destination)
    {
        if (!TryFindEntry(offset, (ulong)destination.Length, out int index, out ulong withinEntry)) return false;
        while (!destination.IsEmpty)
        {
            if (!TryNextGuestChunk(memory, ref index, ref withinEntry, destination.Length, out var guest)) return false;
            guest.CopyTo(destination);
            destination = destination[guest.Length..];
        }
        return true;
    }

    /// <summary>Copies <paramref name="source"/> into the backing at <paramref name="offset"/>; false as for <see cref="TryRead"/>.</summary>
    public bool TryWrite(IGuestMemory memory, ulong offset, ReadOnlySpan<byte> source)
    {
        if (!TryFindEntry(offset, (ulong)source.Length, out int index, out ulong withinEntry)) return false;
        while (!source.IsEmpty)
        {
            if (!TryNextGuestChunk(memory, ref index, ref withinEntry, source.Length, out var guest)) return false;
            source[..guest.Length].CopyTo(guest);
            source = source[guest.Length..];
        }
        return true;
    }

    /// <summary>
    /// A direct span over [<paramref name="offset"/>, +<paramref name="length"/>) when that range lies
    /// in one entry (the usual case for small rings), so a caller can avoid copying.
    /// </summary>
    internal bool TryGetContiguousSpan(IGuestMemory memory, ulong offset, uint length, out Span<byte> span)
    {
        span = default;
        if (!TryFindEntry(offset, length, out int index, out ulong withinEntry)) return false;
        var entry = _entries[index];
        if (length > entry.Length - withinEntry) return false;
        return memory.TryGetSpan(entry.Address + withinEntry, length, out span);
    }

    /// <summary>
    /// The guest memory of entry <paramref name="index"/> from <paramref name="withinEntry"/> on, at
    /// most <paramref name="wanted"/> bytes; then moves on to the start of the next entry.
    /// </summary>
    private bool TryNextGuestChunk(IGuestMemory memory, ref int index, ref ulong withinEntry, int wanted, out Span<byte> guest)
    {
        var entry = _entries[index];
        uint chunk = (uint)Math.Min(entry.Length - withinEntry, (ulong)wanted);
        ulong address = entry.Address + withinEntry;
        index++;
        withinEntry = 0;
        return memory.TryGetSpan(address, chunk, out guest);
    }

    private bool TryFindEntry(ulong offset, ulong length, out int index, out ulong withinEntry)
    {
        index = 0;
        withinEntry = 0;
        if (offset > Length || length > Length - offset) return false;
        if (length == 0) return true;
        int found = Array.BinarySearch(_entryStarts, offset);
        // Not an exact start: the complement is the next entry's index, so the range begins in the one before it.
        index = found >= 0 ? found : ~found - 1;
        withinEntry = offset - _entryStarts[index];
        return true;
    }
}

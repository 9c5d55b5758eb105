using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.VirtioGpu.Virtqueue;

/// <summary>One buffer of a chain: guest-physical range, and whether the device may write it.</summary>
public readonly record struct DescriptorSegment(ulong Address, uint Length, bool DeviceWritable);

/// <summary>Why a chain the driver offered cannot be used. The chain is returned unused; the queue keeps working.</summary>
public enum ChainError
{
    None,
    HeadOutOfRange,
    NextOutOfRange,
    /// <summary>More descriptors than the table holds: a loop, or a chain longer than allowed.</summary>
    TooLong,
    /// <summary>An indirect table inside an indirect table, or one with NEXT set.</summary>
    NestedIndirect,
    /// <summary>An indirect table whose length is 0, not a multiple of 16, or too long.</summary>
    BadIndirectTable,
    /// <summary>A buffer or indirect table outside guest memory.</summary>
    AddressOutOfRange,
    /// <summary>A device-readable buffer after a device-writable one.</summary>
    ReadableAfterWritable,
    /// <summary>The ring areas themselves are not in guest memory (a broken queue setup).</summary>
    RingOutOfRange,
    /// <summary>Buffers adding up to more than 2 GiB: no command is that large.</summary>
    TooLarge,
}

/// <summary>
/// A chain taken off the available ring: readable segments first, then writable ones. Reused by
/// its queue from one request to the next, so nothing is allocated per request.
/// </summary>
public sealed class DescriptorChain
{
    private readonly List<DescriptorSegment> _segments = new(8);

    public ushort Head { get; internal set; }

    public ChainError Error { get; internal set; }

    public IReadOnlyList<DescriptorSegment> Segments => _segments;

    public int ReadableLength { get; private set; }

    public int WritableLength { get; private set; }

    internal void Reset(ushort head)
    {
        Head = head;
        Error = ChainError.None;
        _segments.Clear();
        ReadableLength = WritableLength = 0;
    }

    /// <summary>Bytes of all segments so far; the queue refuses a chain that would pass <see cref="int.MaxValue"/>.</summary>
    internal long TotalLength => (long)ReadableLength + WritableLength;

    internal void Add(DescriptorSegment segment)
    {
        _segments.Add(segment);
        if (segment.DeviceWritable) WritableLength += (int)segment.Length;
        else ReadableLength += (int)segment.Length;
    }

    /// <summary>
    /// Copies the readable part, concatenated, into <paramref name="destination"/> (up to its length).
    /// The guest may split one logical struct across descriptors anywhere, so callers parse this
    /// stream, never a single descriptor. Returns the bytes copied, or -1 if guest memory vanished.
    /// </summary>
    public int CopyReadable(IGuestMemory memory, Span<byte> destination)
    {
        int copied = 0;
        foreach (var segment in _segments)
        {
            if (segment.DeviceWritable || copied == destination.Length) break;
            int length = (int)Math.Min(segment.Length, (uint)(destination.Length - copied));
            if (!memory.TryGetSpan(segment.Address, (uint)length, out var source)) return -1;
            source.CopyTo(destination[copied..]);
            copied += length;
        }
        return copied;
    }

    /// <summary>Writes <paramref name="data"/> across the writable segments; returns the bytes written.</summary>
    public int WriteWritable(IGuestMemory memory, ReadOnlySpan<byte> data) => WriteSegments(memory, _segments, data);

    /// <summary>Writes <paramref name="data"/> across the device-writable ones of <paramref name="segments"/>, in order.</summary>
    public static int WriteSegments(IGuestMemory memory, List<DescriptorSegment> segments, ReadOnlySpan<byte> data)
    {
        int written = 0;
        foreach (var segment in segments)
        {
            if (!segment.DeviceWritable) continue;
            if (written == data.Length) break;
            int length = (int)Math.Min(segment.Length, (uint)(data.Length - written));
            if (!memory.TryGetSpan(segment.Address, (uint)length, out var target)) break;
            data.Slice(written, length).CopyTo(target);
            written += length;
        }
        return written;
    }
}

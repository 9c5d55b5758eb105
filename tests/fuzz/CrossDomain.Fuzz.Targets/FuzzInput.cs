using System.Buffers.Binary;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Reads a fuzz input as a stream of small fields. Running out yields zeros rather than failing,
/// so every byte string is a valid program and the fuzzer never wastes executions on rejects.
/// </summary>
public ref struct FuzzInput(ReadOnlySpan<byte> bytes)
{
    private ReadOnlySpan<byte> _rest = bytes;

    public readonly bool IsEmpty => _rest.IsEmpty;

    public byte Byte()
    {
        if (_rest.IsEmpty) return 0;
        byte value = _rest[0];
        _rest = _rest[1..];
        return value;
    }

    public ushort UInt16() => (ushort)(Byte() | Byte() << 8);

    public uint UInt32() => (uint)(UInt16() | UInt16() << 16);

    public ulong UInt64() => UInt32() | (ulong)UInt32() << 32;

    /// <summary>Up to <paramref name="count"/> bytes: fewer at the end of the input.</summary>
    public ReadOnlySpan<byte> Take(int count)
    {
        var taken = _rest[..Math.Min(count, _rest.Length)];
        _rest = _rest[taken.Length..];
        return taken;
    }

    /// <summary>A record: a 16-bit little-endian length, then that many bytes.</summary>
    public ReadOnlySpan<byte> Record() => Take(UInt16());
}

/// <summary>Writes inputs in the layout <see cref="FuzzInput"/> reads, for seeds and regression tests.</summary>
public sealed class FuzzInputWriter
{
    private readonly List<byte> _bytes = [];

    public FuzzInputWriter Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public FuzzInputWriter UInt16(ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        return Bytes(buffer);
    }

    public FuzzInputWriter UInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        return Bytes(buffer);
    }

    public FuzzInputWriter UInt64(ulong value) => UInt32((uint)value).UInt32((uint)(value >> 32));

    public FuzzInputWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) _bytes.Add(b);
        return this;
    }

    public FuzzInputWriter Record(ReadOnlySpan<byte> bytes) => UInt16(checked((ushort)bytes.Length)).Bytes(bytes);

    public byte[] ToArray() => _bytes.ToArray();
}

using System.Buffers.Binary;

namespace CrossDomain.Wayland.Wire;

/// <summary>
/// The two words in front of every message: the object id, then <c>size &lt;&lt; 16 | opcode</c>
/// with the size in bytes including these 8.
/// </summary>
public readonly record struct MessageHeader(uint ObjectId, ushort Opcode, ushort Size)
{
    public const int Length = 8;

    /// <summary>The wire's own cap: the size field has 16 bits.</summary>
    public const int MaxMessageSize = ushort.MaxValue & ~3;

    public int BodyLength => Size - Length;

    /// <summary>
    /// Reads a header from the first 8 bytes of <paramref name="data"/>. Returns false with
    /// <see cref="WireError.None"/> when fewer than 8 bytes are there yet.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, int maxMessageSize, out MessageHeader header, out WireError error)
    {
        header = default;
        error = WireError.None;
        if (data.Length < Length) return false;
        uint objectId = BinaryPrimitives.ReadUInt32LittleEndian(data);
        uint sizeAndOpcode = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        int size = (int)(sizeAndOpcode >> 16);
        if (size < Length) error = WireError.MessageTooShort;
        else if ((size & 3) != 0) error = WireError.MessageSizeUnaligned;
        else if (size > maxMessageSize) error = WireError.MessageTooLarge;
        if (error != WireError.None) return false;
        header = new MessageHeader(objectId, (ushort)sizeAndOpcode, (ushort)size);
        return true;
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, ObjectId);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)Size << 16 | Opcode);
    }
}

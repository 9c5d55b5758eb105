using System.Buffers.Binary;

namespace CrossDomain.Fuzz.Targets;

internal static class WaylandFraming
{
    /// <summary>
    /// Whether <paramref name="stream"/> reads as Wayland messages with headers a peer may send; the
    /// last may be unfinished (the input ended inside it), but never its header.
    /// </summary>
    public static void Check(ReadOnlySpan<byte> stream, string what)
    {
        while (!stream.IsEmpty)
        {
            if (stream.Length < 8) throw new FuzzFindingException($"{what}: {stream.Length} bytes of a header passed");
            int size = (int)(BinaryPrimitives.ReadUInt32LittleEndian(stream[4..]) >> 16);
            if (size < 8 || size % 4 != 0 || size > 4096) throw new FuzzFindingException($"{what}: a message of {size} bytes passed");
            if (size > stream.Length) return;
            stream = stream[size..];
        }
    }
}

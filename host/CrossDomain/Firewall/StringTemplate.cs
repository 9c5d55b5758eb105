using System.Text;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// A format such as <c>"[{vm}] {title}"</c> with the VM's name already put in, kept as the UTF-8
/// around the one slot the guest's string goes into, so that a rewrite is two copies and no decode.
/// </summary>
internal sealed class StringTemplate
{
    private readonly byte[] _prefix;
    private readonly byte[] _suffix;
    private readonly bool _hasSlot;

    public StringTemplate(string format, string vmName, string slot)
    {
        string text = format.Replace("{vm}", vmName, StringComparison.Ordinal);
        int at = text.IndexOf(slot, StringComparison.Ordinal);
        _hasSlot = at >= 0;
        _prefix = Encoding.UTF8.GetBytes(_hasSlot ? text[..at] : text);
        _suffix = Encoding.UTF8.GetBytes(_hasSlot ? text[(at + slot.Length)..] : "");
    }

    /// <summary>
    /// Writes the formatted string into <paramref name="destination"/>, at most <paramref name="limit"/>
    /// bytes: a longer result is cut where a character begins, so that a valid title stays valid UTF-8.
    /// </summary>
    public int Write(ReadOnlySpan<byte> value, Span<byte> destination, int limit)
    {
        int length = 0;
        // Once a part is cut, nothing after it goes in: a suffix after a cut title would read as part of it.
        if (Append(_prefix, destination, ref length, limit) && (!_hasSlot || Append(value, destination, ref length, limit)))
            Append(_suffix, destination, ref length, limit);
        return length;
    }

    /// <summary>The most bytes <see cref="Write"/> can produce for a value of <paramref name="valueLength"/> bytes.</summary>
    public int MaxLength(int valueLength) => _prefix.Length + (_hasSlot ? valueLength : 0) + _suffix.Length;

    /// <summary>False when the part had to be cut.</summary>
    private static bool Append(ReadOnlySpan<byte> part, Span<byte> destination, ref int length, int limit)
    {
        int room = limit - length;
        bool whole = part.Length <= room;
        if (!whole)
        {
            // Back off over continuation bytes (10xxxxxx) to the start of the character the limit cuts.
            int cut = room;
            while (cut > 0 && (part[cut] & 0xC0) == 0x80) cut--;
            part = part[..cut];
        }
        part.CopyTo(destination[length..]);
        length += part.Length;
        return whole;
    }
}

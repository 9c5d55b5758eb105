using System.Text;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>Guest bytes made fit for a log line: a guest chooses them, so they are escaped and cut short.</summary>
internal static class LogText
{
    public const int MaxBytes = 64;

    public static string Escape(ReadOnlySpan<byte> utf8)
    {
        var text = new StringBuilder(Math.Min(utf8.Length, MaxBytes) + 8);
        foreach (byte b in utf8[..Math.Min(utf8.Length, MaxBytes)])
        {
            if (b is (byte)'"' or (byte)'\\') text.Append('\\').Append((char)b);
            else if (b is >= 0x20 and < 0x7F) text.Append((char)b);
            else text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        if (utf8.Length > MaxBytes) text.Append('…');
        return text.ToString();
    }
}

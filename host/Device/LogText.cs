using System.Text;

namespace CrossDomain.Host.Device;

/// <summary>Text a guest chose, made safe to put in a log line.</summary>
internal static class LogText
{
    /// <summary>
    /// Printable ASCII as it is; every other byte (newlines, ESC and other controls, DEL, anything
    /// not ASCII), the backslash and the double quote (log lines quote guest strings) as \xNN. A
    /// guest then cannot forge log lines, drive the terminal that shows the log, or hide
    /// characters, and what the log shows maps back to exact bytes. Past <paramref name="maxBytes"/> bytes the text is cut and ends in "...".
    /// </summary>
    public static string Escape(ReadOnlySpan<byte> text, int maxBytes)
    {
        var shown = text.Length > maxBytes ? text[..maxBytes] : text;
        var builder = new StringBuilder(shown.Length + 3);
        foreach (byte value in shown)
        {
            if (value is >= 0x20 and < 0x7F and not ((byte)'\\' or (byte)'"')) builder.Append((char)value);
            else builder.Append(@"\x").Append(value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (shown.Length < text.Length) builder.Append("...");
        return builder.ToString();
    }
}

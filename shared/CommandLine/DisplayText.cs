using System.Globalization;
using System.Text;

namespace CrossDomain.CommandLine;

/// <summary>
/// Quotes user-supplied text for an error message. Values come from argv, environment variables and
/// JSON files, any of which can hold a newline or an escape sequence; escaping them keeps every error
/// exactly one line and keeps the terminal or journal from interpreting them.
/// </summary>
public static class DisplayText
{
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2);
        quoted.Append('\'');
        foreach (char character in text)
        {
            switch (character)
            {
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\'': quoted.Append("\\'"); break;
                default:
                    if (char.IsControl(character))
                        quoted.Append("\\u").Append(((int)character).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        quoted.Append(character);
                    break;
            }
        }
        quoted.Append('\'');
        return quoted.ToString();
    }

    /// <summary>"a, b or c": how messages and help list alternatives.</summary>
    public static string Enumerate(IReadOnlyList<string> items, string conjunction) =>
        items.Count <= 1
            ? string.Concat(items)
            : $"{string.Join(", ", items.Take(items.Count - 1))} {conjunction} {items[^1]}";

    /// <summary>A message from a library (a JSON parser, the file system) folded onto one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

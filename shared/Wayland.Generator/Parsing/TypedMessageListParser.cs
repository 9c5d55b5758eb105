using System.Collections.Generic;
using System.Threading;
using CrossDomain.Wayland.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace CrossDomain.Wayland.Generator.Parsing;

/// <summary>
/// Reads the list of messages that get typed encode/decode code: one <c>interface.message</c> per
/// line, <c>#</c> starts a comment, blank lines are skipped.
/// </summary>
internal static class TypedMessageListParser
{
    public static TypedMessageFileModel Parse(string path, SourceText? text, CancellationToken cancellationToken)
    {
        var entries = new List<TypedMessageEntry>();
        var diagnostics = new List<DiagnosticInfo>();
        if (text is null) return new TypedMessageFileModel(entries.ToEquatableArray(), diagnostics.ToEquatableArray());

        foreach (var line in text.Lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string content = line.ToString();
            int commentStart = content.IndexOf('#');
            if (commentStart >= 0) content = content.Substring(0, commentStart);
            string entry = content.Trim();
            if (entry.Length == 0) continue;

            int column = content.IndexOf(entry, System.StringComparison.Ordinal);
            var location = new SourceSpanInfo(path, line.Start + column, entry.Length, line.LineNumber, column);
            int dot = entry.IndexOf('.');
            if (dot <= 0 || dot == entry.Length - 1 || entry.IndexOf('.', dot + 1) >= 0 || ContainsWhitespace(entry))
            {
                diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.MalformedTypedMessageLine, location, entry));
                continue;
            }
            entries.Add(new TypedMessageEntry(entry.Substring(0, dot), entry.Substring(dot + 1), location));
        }
        return new TypedMessageFileModel(entries.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    private static bool ContainsWhitespace(string entry)
    {
        foreach (char character in entry)
        {
            if (char.IsWhiteSpace(character)) return true;
        }
        return false;
    }
}

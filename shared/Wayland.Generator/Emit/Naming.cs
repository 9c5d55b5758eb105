using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>Turns the XML's snake_case names into C# identifiers.</summary>
internal static class Naming
{
    /// <summary><c>zwp_linux_dmabuf_v1</c> → <c>ZwpLinuxDmabufV1</c>.</summary>
    public static string ToPascalCase(string snakeCaseName)
    {
        var builder = new StringBuilder(snakeCaseName.Length);
        bool startOfWord = true;
        foreach (char character in snakeCaseName)
        {
            // Anything that cannot be part of an identifier (in practice '_' or '-') separates words.
            if (!char.IsLetterOrDigit(character))
            {
                startOfWord = true;
                continue;
            }
            builder.Append(startOfWord ? char.ToUpperInvariant(character) : character);
            startOfWord = false;
        }
        if (builder.Length == 0 || char.IsDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    /// <summary>A parameter or local name: camelCase, with <c>@</c> in front of a C# keyword.</summary>
    public static string ToCamelCase(string pascalCaseName)
    {
        string camel = pascalCaseName.Length > 0 && char.IsUpper(pascalCaseName[0])
            ? char.ToLowerInvariant(pascalCaseName[0]) + pascalCaseName.Substring(1)
            : pascalCaseName;
        return EscapeKeyword(camel);
    }

    public static string EscapeKeyword(string identifier)
        => SyntaxFacts.IsReservedKeyword(SyntaxFacts.GetKeywordKind(identifier)) ? "@" + identifier : identifier;

    public static string StringLiteral(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char character in value)
        {
            switch (character)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(character)) builder.Append("\\u").Append(((int)character).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else builder.Append(character);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Text for an XML doc comment on one line.</summary>
    public static string DocText(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool lastWasSpace = false;
        foreach (char character in text.Trim())
        {
            if (char.IsWhiteSpace(character))
            {
                if (!lastWasSpace) builder.Append(' ');
                lastWasSpace = true;
                continue;
            }
            lastWasSpace = false;
            switch (character)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                default: builder.Append(character); break;
            }
        }
        return builder.ToString();
    }
}

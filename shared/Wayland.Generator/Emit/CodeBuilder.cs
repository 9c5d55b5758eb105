using System.Text;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>
/// A StringBuilder that indents. Lines end in '\n' whatever the build machine, so the generated
/// text, and the snapshot tests that compare it, do not depend on the platform.
/// </summary>
internal sealed class CodeBuilder
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    public CodeBuilder Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (int i = 0; i < _depth; i++) _text.Append(IndentUnit);
            _text.Append(line);
        }
        _text.Append('\n');
        return this;
    }

    public CodeBuilder Indent()
    {
        _depth++;
        return this;
    }

    public CodeBuilder Outdent()
    {
        _depth--;
        return this;
    }

    public CodeBuilder Open(string line = "{")
    {
        Line(line);
        _depth++;
        return this;
    }

    public CodeBuilder Close(string line = "}")
    {
        _depth--;
        return Line(line);
    }

    public override string ToString() => _text.ToString();
}

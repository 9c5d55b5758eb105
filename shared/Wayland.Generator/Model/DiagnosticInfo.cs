using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace CrossDomain.Wayland.Generator.Model;

/// <summary>
/// A place in an additional file, kept as plain values: a <see cref="Location"/> is not something the
/// incremental cache can compare cheaply, so it is built only when a diagnostic is reported.
/// </summary>
internal sealed record SourceSpanInfo(string Path, int Start, int Length, int Line, int Column)
{
    public Location ToLocation()
    {
        var position = new LinePosition(Line, Column);
        return Location.Create(Path, new TextSpan(Start, Length), new LinePositionSpan(position, new LinePosition(Line, Column + Length)));
    }
}

/// <summary>A diagnostic found while parsing, reported later from an output step.</summary>
internal sealed record DiagnosticInfo(string DescriptorId, SourceSpanInfo? Location, EquatableArray<string> MessageArguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SourceSpanInfo? location, params string[] messageArguments)
        => new(descriptor.Id, location, new EquatableArray<string>(messageArguments));

    public Diagnostic ToDiagnostic()
    {
        var arguments = new object[MessageArguments.Count];
        for (int i = 0; i < arguments.Length; i++) arguments[i] = MessageArguments[i];
        return Diagnostic.Create(GeneratorDiagnostics.ById(DescriptorId), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, arguments);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using CrossDomain.Wayland.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace CrossDomain.Wayland.Generator.Parsing;

/// <summary>
/// Reads the parts of a Wayland protocol XML file that shape the wire: interfaces, their requests
/// and events in order (the order is the opcode), and each argument's type. Descriptions, enums and
/// copyright notices do not affect the wire and are skipped.
/// </summary>
internal static class ProtocolXmlParser
{
    public static ProtocolFileModel Parse(string path, SourceText? text, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var interfaces = new List<InterfaceModel>();
        if (text is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.InvalidProtocolXml, At(path, 0, 0), "the file could not be read"));
            return Result(path, interfaces, diagnostics);
        }

        XDocument document;
        try
        {
            document = Load(text.ToString());
        }
        catch (XmlException exception)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                GeneratorDiagnostics.InvalidProtocolXml,
                At(path, exception.LineNumber, exception.LinePosition),
                exception.Message));
            return Result(path, interfaces, diagnostics);
        }

        var root = document.Root;
        if (root is null || root.Name.LocalName != "protocol")
        {
            diagnostics.Add(DiagnosticInfo.Create(GeneratorDiagnostics.InvalidProtocolXml, At(path, root), "the root element is not <protocol>"));
            return Result(path, interfaces, diagnostics);
        }

        foreach (var element in root.Elements("interface"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var parsed = ParseInterface(path, element, diagnostics);
            if (parsed is not null) interfaces.Add(parsed);
        }
        return Result(path, interfaces, diagnostics);
    }

    // The XML comes from the build's own inputs, but a DTD could still pull in other files or expand
    // without bound, so DTDs are ignored and nothing is resolved.
    private static XDocument Load(string xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            IgnoreComments = true,
        };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        return XDocument.Load(reader, LoadOptions.SetLineInfo);
    }

    private static InterfaceModel? ParseInterface(string path, XElement element, List<DiagnosticInfo> diagnostics)
    {
        string? name = RequiredName(path, element, diagnostics);
        if (name is null) return null;
        if (!TryReadPositiveInt(element, "version", out int version))
        {
            diagnostics.Add(Invalid(path, element, $"Interface '{name}' has no valid version attribute"));
            return null;
        }

        // A message that cannot be read makes the whole opcode table untrustworthy, so the interface
        // is left out rather than generated with a hole in it; the error fails the build anyway.
        var requests = ParseMessages(path, name, element.Elements("request"), diagnostics);
        var events = ParseMessages(path, name, element.Elements("event"), diagnostics);
        if (requests is null || events is null) return null;

        string? summary = element.Element("description")?.Attribute("summary")?.Value;
        return new InterfaceModel(name, version, summary, requests.Value, events.Value);
    }

    private static EquatableArray<MessageModel>? ParseMessages(string path, string interfaceName, IEnumerable<XElement> elements, List<DiagnosticInfo> diagnostics)
    {
        var messages = new List<MessageModel>();
        bool valid = true;
        foreach (var element in elements)
        {
            var message = ParseMessage(path, interfaceName, element, messages.Count, diagnostics);
            if (message is null) valid = false;
            else messages.Add(message);
        }
        return valid ? messages.ToEquatableArray() : null;
    }

    private static MessageModel? ParseMessage(string path, string interfaceName, XElement element, int opcode, List<DiagnosticInfo> diagnostics)
    {
        string? name = RequiredName(path, element, diagnostics);
        if (name is null) return null;

        int since = 1;
        if (element.Attribute("since") is not null && !TryReadPositiveInt(element, "since", out since))
        {
            diagnostics.Add(Invalid(path, element, $"'{interfaceName}.{name}' has an invalid since attribute"));
            return null;
        }
        bool isDestructor = (string?)element.Attribute("type") == "destructor";

        var arguments = new List<ArgumentModel>();
        foreach (var argumentElement in element.Elements("arg"))
        {
            string? argumentName = RequiredName(path, argumentElement, diagnostics);
            if (argumentName is null) return null;
            string typeName = (string?)argumentElement.Attribute("type") ?? "";
            if (!TryParseKind(typeName, out var kind))
            {
                diagnostics.Add(Invalid(path, argumentElement, $"Argument '{argumentName}' of '{interfaceName}.{name}' has unknown type '{typeName}'"));
                return null;
            }
            bool nullable = (string?)argumentElement.Attribute("allow-null") == "true";
            string? argumentInterface = (string?)argumentElement.Attribute("interface");
            if (string.IsNullOrEmpty(argumentInterface)) argumentInterface = null;
            arguments.Add(new ArgumentModel(argumentName, kind, nullable, argumentInterface));
        }
        return new MessageModel(name, opcode, since, isDestructor, arguments.ToEquatableArray());
    }

    private static bool TryParseKind(string typeName, out ArgumentKind kind)
    {
        switch (typeName)
        {
            case "int": kind = ArgumentKind.Int; return true;
            case "uint": kind = ArgumentKind.Uint; return true;
            case "fixed": kind = ArgumentKind.Fixed; return true;
            case "string": kind = ArgumentKind.String; return true;
            case "object": kind = ArgumentKind.Object; return true;
            case "new_id": kind = ArgumentKind.NewId; return true;
            case "array": kind = ArgumentKind.Array; return true;
            case "fd": kind = ArgumentKind.Fd; return true;
            default: kind = default; return false;
        }
    }

    private static string? RequiredName(string path, XElement element, List<DiagnosticInfo> diagnostics)
    {
        string? name = (string?)element.Attribute("name");
        if (!string.IsNullOrWhiteSpace(name)) return name!.Trim();
        diagnostics.Add(Invalid(path, element, $"<{element.Name.LocalName}> has no name attribute"));
        return null;
    }

    private static bool TryReadPositiveInt(XElement element, string attributeName, out int value)
        => int.TryParse((string?)element.Attribute(attributeName), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    private static DiagnosticInfo Invalid(string path, XElement element, string message)
        => DiagnosticInfo.Create(GeneratorDiagnostics.InvalidProtocolElement, At(path, element), message);

    private static SourceSpanInfo At(string path, IXmlLineInfo? lineInfo)
        => lineInfo is not null && lineInfo.HasLineInfo() ? At(path, lineInfo.LineNumber, lineInfo.LinePosition) : At(path, 0, 0);

    // XmlReader counts lines and columns from 1; Roslyn's line positions count from 0.
    private static SourceSpanInfo At(string path, int line, int column)
        => new(path, 0, 0, Math.Max(line - 1, 0), Math.Max(column - 1, 0));

    private static ProtocolFileModel Result(string path, List<InterfaceModel> interfaces, List<DiagnosticInfo> diagnostics)
        => new(path, interfaces.ToEquatableArray(), diagnostics.ToEquatableArray());
}

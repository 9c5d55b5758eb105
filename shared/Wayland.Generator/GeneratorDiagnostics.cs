using System;
using Microsoft.CodeAnalysis;

namespace CrossDomain.Wayland.Generator;

// Release tracking (RS2008) records which rule ids a published analyzer package shipped in which
// version; this generator is built only inside this repository, so there are no releases to track.
#pragma warning disable RS2008
internal static class GeneratorDiagnostics
{
    private const string Category = "CrossDomain.Wayland.Generator";

    public static readonly DiagnosticDescriptor UnknownTypedMessage = new(
        "WLGEN001",
        "Unknown message in the typed-messages list",
        "'{0}' is not a request or event of any interface in the protocol XML files",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidProtocolXml = new(
        "WLGEN002",
        "Invalid Wayland protocol XML",
        "The protocol XML cannot be read: {0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidProtocolElement = new(
        "WLGEN003",
        "Invalid element in Wayland protocol XML",
        "{0}",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MalformedTypedMessageLine = new(
        "WLGEN004",
        "Malformed line in the typed-messages list",
        "'{0}' is not of the form interface.message",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateInterface = new(
        "WLGEN005",
        "Wayland interface declared twice",
        "Interface '{0}' is declared in more than one protocol XML file ({1})",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

#pragma warning restore RS2008

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "WLGEN001" => UnknownTypedMessage,
        "WLGEN002" => InvalidProtocolXml,
        "WLGEN003" => InvalidProtocolElement,
        "WLGEN004" => MalformedTypedMessageLine,
        "WLGEN005" => DuplicateInterface,
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "No such generator diagnostic."),
    };
}

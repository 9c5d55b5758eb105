namespace CrossDomain.Wayland.Generator.Model;

/// <summary>The argument types of the XML's <c>type</c> attribute.</summary>
internal enum ArgumentKind
{
    Int,
    Uint,
    Fixed,
    String,
    Object,
    NewId,
    Array,
    Fd,
}

internal sealed record ArgumentModel(string Name, ArgumentKind Kind, bool Nullable, string? Interface)
{
    public bool IsUntypedNewId => Kind == ArgumentKind.NewId && Interface is null;
}

internal sealed record MessageModel(string Name, int Opcode, int Since, bool IsDestructor, EquatableArray<ArgumentModel> Arguments);

internal sealed record InterfaceModel(
    string Name,
    int Version,
    string? Summary,
    EquatableArray<MessageModel> Requests,
    EquatableArray<MessageModel> Events);

/// <summary>One protocol XML file as parsed, with the problems found in it.</summary>
internal sealed record ProtocolFileModel(
    string Path,
    EquatableArray<InterfaceModel> Interfaces,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One <c>interface.message</c> line of the typed-messages list, with where it is for diagnostics.</summary>
internal sealed record TypedMessageEntry(string InterfaceName, string MessageName, SourceSpanInfo Location)
{
    public string Key => InterfaceName + "." + MessageName;
}

internal sealed record TypedMessageFileModel(
    EquatableArray<TypedMessageEntry> Entries,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Where an interface is declared; the registry needs the file only to point at duplicates.</summary>
internal sealed record InterfaceDeclaration(string Name, string Path);

internal sealed record ProtocolToEmit(ProtocolFileModel Protocol, string HintName);

using System.Collections.Generic;
using CrossDomain.Wayland.Generator.Model;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>What a typed message struct holds for one piece of the wire.</summary>
internal enum FieldKind
{
    Int,
    Uint,
    Fixed,
    Object,
    NewId,
    String,
    Array,
    Fd,
    // An untyped new_id (wl_registry.bind) is three values on the wire: interface name, version, id.
    UntypedInterface,
    UntypedVersion,
    UntypedId,
}

internal sealed class TypedField
{
    public TypedField(FieldKind kind, string fieldName, bool nullable)
    {
        Kind = kind;
        FieldName = fieldName;
        Nullable = nullable;
    }

    public FieldKind Kind { get; }
    public string FieldName { get; }
    public bool Nullable { get; }

    /// <summary>The companion flag of a nullable string, since an empty span cannot tell null from "".</summary>
    public string? NullFlagFieldName { get; set; }

    public string LocalName { get; set; } = "";
    public string? NullFlagLocalName { get; set; }
}

/// <summary>
/// Lays out the fields of a typed message struct and the names its generated methods use, so that
/// no argument name can clash with a keyword, with the struct's own members, or with the fixed
/// parameters and locals of TryDecode and Encode (wl_display.error has arguments named
/// <c>object_id</c> and <c>message</c>, for instance).
/// </summary>
internal static class TypedMessageFields
{
    private static readonly string[] ReservedLocalNames = { "body", "fds", "message", "reader", "writer", "objectId" };

    public static List<TypedField> Plan(MessageModel message, string structName)
    {
        var usedFieldNames = new HashSet<string> { "Opcode", "TryDecode", "Encode", structName };
        var fields = new List<TypedField>();
        foreach (var argument in message.Arguments)
        {
            string name = Naming.ToPascalCase(argument.Name);
            if (argument.IsUntypedNewId)
            {
                fields.Add(new TypedField(FieldKind.UntypedInterface, Unique("Interface", usedFieldNames), nullable: false));
                fields.Add(new TypedField(FieldKind.UntypedVersion, Unique("Version", usedFieldNames), nullable: false));
                fields.Add(new TypedField(FieldKind.UntypedId, Unique(name, usedFieldNames), nullable: false));
                continue;
            }
            var field = new TypedField(KindOf(argument.Kind), Unique(name, usedFieldNames), argument.Nullable);
            if (field.Kind == FieldKind.String && field.Nullable)
                field.NullFlagFieldName = Unique(field.FieldName + "IsNull", usedFieldNames);
            fields.Add(field);
        }

        var usedLocalNames = new HashSet<string>(ReservedLocalNames);
        foreach (var field in fields)
        {
            field.LocalName = Unique(Naming.ToCamelCase(field.FieldName), usedLocalNames);
            if (field.NullFlagFieldName is not null)
                field.NullFlagLocalName = Unique(Naming.ToCamelCase(field.NullFlagFieldName), usedLocalNames);
        }
        return fields;
    }

    private static FieldKind KindOf(ArgumentKind kind) => kind switch
    {
        ArgumentKind.Int => FieldKind.Int,
        ArgumentKind.Uint => FieldKind.Uint,
        ArgumentKind.Fixed => FieldKind.Fixed,
        ArgumentKind.String => FieldKind.String,
        ArgumentKind.Object => FieldKind.Object,
        ArgumentKind.NewId => FieldKind.NewId,
        ArgumentKind.Array => FieldKind.Array,
        _ => FieldKind.Fd,
    };

    private static string Unique(string name, HashSet<string> used)
    {
        while (!used.Add(name)) name += "Argument";
        return name;
    }
}

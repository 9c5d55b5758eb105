using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CrossDomain.Wayland.Generator.Model;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>
/// Writes the typed view of one message: a ref struct whose strings and arrays are spans into the
/// received body (no copies on the relay's hot path), with TryDecode and Encode.
/// </summary>
internal static class TypedMessageEmitter
{
    public static void Emit(CodeBuilder code, string interfaceName, MessageModel message, string suffix, string direction)
    {
        string structName = Naming.ToPascalCase(message.Name) + suffix;
        var fields = TypedMessageFields.Plan(message, structName);
        string opcode = message.Opcode.ToString(CultureInfo.InvariantCulture);

        // Spans tie the struct to the buffer it was decoded from; say so where the struct has any.
        bool viewsBody = fields.Any(field => FieldType(field.Kind) == "ReadOnlySpan<byte>");
        string bodyNote = viewsBody ? " Strings and arrays point into the decoded body." : "";
        code.Line($"/// <summary>{interfaceName}.{message.Name}, {direction} {opcode}.{bodyNote}</summary>");
        code.Line($"public readonly ref struct {structName}");
        code.Open();
        code.Line($"public const ushort Opcode = {opcode};");
        if (fields.Count > 0)
        {
            code.Line();
            EmitFields(code, fields);
            code.Line();
            EmitConstructor(code, structName, fields);
        }
        code.Line();
        EmitTryDecode(code, structName, fields);
        code.Line();
        EmitEncode(code, fields);
        code.Close();
    }

    private static void EmitFields(CodeBuilder code, List<TypedField> fields)
    {
        foreach (var field in fields)
        {
            if (field.Kind == FieldKind.Fd)
                code.Line("/// <summary>Owned by whoever received the message (its fd queue); do not dispose it through this view.</summary>");
            if (field.Kind is FieldKind.String or FieldKind.UntypedInterface)
                code.Line("/// <summary>UTF-8, without the terminating NUL.</summary>");
            code.Line($"public readonly {FieldType(field.Kind)} {field.FieldName};");
            if (field.NullFlagFieldName is not null)
                code.Line($"public readonly bool {field.NullFlagFieldName};");
        }
    }

    private static void EmitConstructor(CodeBuilder code, string structName, List<TypedField> fields)
    {
        var parameters = new List<string>();
        foreach (var field in fields)
        {
            parameters.Add($"{FieldType(field.Kind)} {field.LocalName}");
            if (field.NullFlagLocalName is not null) parameters.Add($"bool {field.NullFlagLocalName}");
        }
        code.Line($"private {structName}({string.Join(", ", parameters)})");
        code.Open();
        foreach (var field in fields)
        {
            code.Line(Assignment(field.FieldName, field.LocalName));
            if (field.NullFlagFieldName is not null) code.Line(Assignment(field.NullFlagFieldName, field.NullFlagLocalName!));
        }
        code.Close();
    }

    // A field and its parameter share a name only when the argument's name has no letter to change
    // case on; "this." then keeps the assignment from being a self-assignment.
    private static string Assignment(string fieldName, string localName)
        => fieldName == localName ? $"this.{fieldName} = {localName};" : $"{fieldName} = {localName};";

    private static void EmitTryDecode(CodeBuilder code, string structName, List<TypedField> fields)
    {
        code.Line($"public static WireError TryDecode(ReadOnlySpan<byte> body, ReadOnlySpan<FileDescriptor> fds, out {structName} message)");
        code.Open();
        code.Line("var reader = new WireReader(body, fds);");
        // The reader turns every read after a failed one into a no-op, so one check at the end
        // reports the first problem without a branch per argument.
        foreach (var field in fields) code.Line(ReadStatement(field));
        code.Line("if (!reader.TryFinish())");
        code.Open();
        code.Line("message = default;");
        code.Line("return reader.Error;");
        code.Close();
        var arguments = new List<string>();
        foreach (var field in fields)
        {
            // TryFinish succeeded, so every read did, and an fd read never yields null.
            arguments.Add(field.Kind == FieldKind.Fd ? field.LocalName + "!" : field.LocalName);
            if (field.NullFlagLocalName is not null) arguments.Add(field.NullFlagLocalName);
        }
        code.Line($"message = new {structName}({string.Join(", ", arguments)});");
        code.Line("return WireError.None;");
        code.Close();
    }

    private static void EmitEncode(CodeBuilder code, List<TypedField> fields)
    {
        var parameters = new List<string> { "ref WireWriter writer", "uint objectId" };
        foreach (var field in fields)
        {
            string? type = EncodeParameterType(field);
            if (type is not null) parameters.Add($"{type} {field.LocalName}");
        }
        if (fields.Any(field => field.Kind == FieldKind.Fd))
            code.Line("// fds are not encoded: they travel out of band (SCM_RIGHTS) with the message, in argument order.");
        code.Line($"public static void Encode({string.Join(", ", parameters)})");
        code.Open();
        code.Line("writer.Begin(objectId, Opcode);");
        foreach (var field in fields)
        {
            string? write = WriteStatement(field);
            if (write is not null) code.Line(write);
        }
        code.Line("writer.End();");
        code.Close();
    }

    private static string FieldType(FieldKind kind) => kind switch
    {
        FieldKind.Int => "int",
        FieldKind.Fixed => "WaylandFixed",
        FieldKind.String or FieldKind.Array or FieldKind.UntypedInterface => "ReadOnlySpan<byte>",
        FieldKind.Fd => "FileDescriptor",
        _ => "uint",
    };

    private static string ReadStatement(TypedField field)
    {
        string local = field.LocalName;
        string nullable = field.Nullable ? "true" : "false";
        return field.Kind switch
        {
            FieldKind.Int => $"reader.TryReadInt(out int {local});",
            FieldKind.Uint or FieldKind.UntypedVersion => $"reader.TryReadUint(out uint {local});",
            FieldKind.Fixed => $"reader.TryReadFixed(out WaylandFixed {local});",
            FieldKind.Object or FieldKind.NewId => $"reader.TryReadObject(nullable: {nullable}, out uint {local});",
            FieldKind.UntypedId => $"reader.TryReadObject(nullable: false, out uint {local});",
            FieldKind.String or FieldKind.UntypedInterface => field.NullFlagLocalName is not null
                ? $"reader.TryReadString(nullable: {nullable}, out ReadOnlySpan<byte> {local}, out bool {field.NullFlagLocalName});"
                : $"reader.TryReadString(nullable: {nullable}, out ReadOnlySpan<byte> {local}, out _);",
            FieldKind.Array => $"reader.TryReadArray(out ReadOnlySpan<byte> {local});",
            _ => $"reader.TryReadFd(out FileDescriptor? {local});",
        };
    }

    private static string? EncodeParameterType(TypedField field) => field.Kind switch
    {
        FieldKind.Int => "int",
        FieldKind.Fixed => "WaylandFixed",
        FieldKind.String => field.Nullable ? "string?" : "string",
        FieldKind.UntypedInterface => "string",
        FieldKind.Array => "ReadOnlySpan<byte>",
        FieldKind.Fd => null,
        _ => "uint",
    };

    private static string? WriteStatement(TypedField field)
    {
        string local = field.LocalName;
        return field.Kind switch
        {
            FieldKind.Int => $"writer.WriteInt({local});",
            FieldKind.Uint or FieldKind.UntypedVersion => $"writer.WriteUint({local});",
            FieldKind.Fixed => $"writer.WriteFixed({local});",
            FieldKind.Object => $"writer.WriteObject({local});",
            FieldKind.NewId or FieldKind.UntypedId => $"writer.WriteNewId({local});",
            FieldKind.String or FieldKind.UntypedInterface => $"writer.WriteString({local});",
            FieldKind.Array => $"writer.WriteArray({local});",
            _ => null,
        };
    }
}

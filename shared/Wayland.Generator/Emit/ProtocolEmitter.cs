using System.Collections.Generic;
using System.Globalization;
using CrossDomain.Wayland.Generator.Model;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>Writes the C# for one protocol XML file: a static partial class per interface.</summary>
internal static class ProtocolEmitter
{
    /// <param name="declaredInterfaces">Every interface of the build: an argument naming one of these gets a reference to it.</param>
    public static string Emit(ProtocolFileModel protocol, string fileName, string targetNamespace, IReadOnlyCollection<string> typedMessageKeys,
        IReadOnlyCollection<string> declaredInterfaces)
    {
        var typed = new HashSet<string>(typedMessageKeys);
        var declared = new HashSet<string>(declaredInterfaces);
        var code = new CodeBuilder();
        FileHeader.Write(code, fileName, targetNamespace);
        bool first = true;
        foreach (var wlInterface in protocol.Interfaces)
        {
            if (!first) code.Line();
            first = false;
            EmitInterface(code, wlInterface, typed, declared);
        }
        return code.ToString();
    }

    private static void EmitInterface(CodeBuilder code, InterfaceModel wlInterface, HashSet<string> typed, HashSet<string> declared)
    {
        if (!string.IsNullOrWhiteSpace(wlInterface.Summary))
            code.Line($"/// <summary>{Naming.DocText(wlInterface.Summary!)}</summary>");
        code.Line($"public static partial class {Naming.ToPascalCase(wlInterface.Name)}");
        code.Open();
        code.Line($"public const string Name = {Naming.StringLiteral(wlInterface.Name)};");
        code.Line($"public const int Version = {Number(wlInterface.Version)};");
        code.Line();
        EmitOpcodes(code, "Requests", wlInterface.Requests);
        code.Line();
        EmitOpcodes(code, "Events", wlInterface.Events);
        code.Line();
        EmitSignatureTable(code, wlInterface, declared);

        foreach (var request in wlInterface.Requests)
        {
            if (!typed.Contains(wlInterface.Name + "." + request.Name)) continue;
            code.Line();
            TypedMessageEmitter.Emit(code, wlInterface.Name, request, "Request", "request");
        }
        foreach (var wlEvent in wlInterface.Events)
        {
            if (!typed.Contains(wlInterface.Name + "." + wlEvent.Name)) continue;
            code.Line();
            TypedMessageEmitter.Emit(code, wlInterface.Name, wlEvent, "Event", "event");
        }
        code.Close();
    }

    private static void EmitOpcodes(CodeBuilder code, string className, EquatableArray<MessageModel> messages)
    {
        code.Line($"public static class {className}");
        code.Open();
        foreach (var message in messages)
            code.Line($"public const ushort {Naming.ToPascalCase(message.Name)} = {Number(message.Opcode)};");
        code.Close();
    }

    private static void EmitSignatureTable(CodeBuilder code, InterfaceModel wlInterface, HashSet<string> declared)
    {
        code.Line("public static readonly WaylandInterface Interface = new(");
        code.Indent();
        code.Line("Name,");
        code.Line("Version,");
        code.Line($"(ushort){RegistryEmitter.IdEnumName}.{Naming.ToPascalCase(wlInterface.Name)},");
        EmitMessageSignatures(code, "requests", wlInterface.Requests, declared, last: false);
        EmitMessageSignatures(code, "events", wlInterface.Events, declared, last: true);
        code.Outdent();
    }

    // A table is a lambda the interface calls on first use, so its arguments may name interfaces
    // whose static fields are not initialised yet (see WaylandInterface).
    private static void EmitMessageSignatures(CodeBuilder code, string parameterName, EquatableArray<MessageModel> messages, HashSet<string> declared, bool last)
    {
        string terminator = last ? ");" : ",";
        if (messages.Count == 0)
        {
            code.Line($"{parameterName}: static () => []{terminator}");
            return;
        }
        code.Line($"{parameterName}: static () =>");
        code.Open("[");
        foreach (var message in messages)
        {
            string head = $"new({Naming.StringLiteral(message.Name)}, {Number(message.Opcode)}, since: {Number(message.Since)}, isDestructor: {Bool(message.IsDestructor)}, arguments:";
            if (message.Arguments.Count == 0)
            {
                code.Line(head + " []),");
                continue;
            }
            code.Line(head);
            code.Open("[");
            foreach (var argument in message.Arguments)
                code.Line(ArgumentSignature(argument, declared) + ",");
            code.Close("]),");
        }
        code.Close("]" + terminator);
    }

    private static string ArgumentSignature(ArgumentModel argument, HashSet<string> declared)
    {
        var text = $"new({Naming.StringLiteral(argument.Name)}, WaylandArgumentType.{argument.Kind}";
        if (argument.Nullable) text += ", Nullable: true";
        if (argument.Interface is not null) text += $", Interface: {Naming.StringLiteral(argument.Interface)}";
        text += ")";
        // An interface of a protocol the build was not given stays a name only.
        if (argument.Interface is not null && declared.Contains(argument.Interface))
            text += $" {{ ResolvedInterface = {Naming.ToPascalCase(argument.Interface)}.Interface }}";
        return text;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}

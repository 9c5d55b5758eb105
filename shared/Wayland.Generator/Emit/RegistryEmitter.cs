using System.Collections.Generic;

namespace CrossDomain.Wayland.Generator.Emit;

/// <summary>
/// Writes <c>WaylandProtocols</c> (every generated interface, and lookup by wire name) and
/// <c>WaylandInterfaceId</c>, their numbers for a switch over (interface, opcode).
/// </summary>
internal static class RegistryEmitter
{
    public const string ClassName = "WaylandProtocols";
    public const string IdEnumName = "WaylandInterfaceId";

    public static string Emit(IReadOnlyList<string> interfaceNames, string targetNamespace)
    {
        var code = new CodeBuilder();
        FileHeader.Write(code, "the protocol XML files", targetNamespace, "System.Collections.Generic");
        code.Line("/// <summary>Every generated interface by number, in the order of <see cref=\"" + ClassName + ".All\"/>.</summary>");
        code.Line($"public enum {IdEnumName} : ushort");
        code.Open();
        foreach (string name in interfaceNames) code.Line($"{Naming.ToPascalCase(name)},");
        code.Close();
        code.Line();
        code.Line("/// <summary>Every interface of the protocol XML files the build was given.</summary>");
        code.Line($"public static partial class {ClassName}");
        code.Open();
        code.Line("public static IReadOnlyList<WaylandInterface> All { get; } = Array.AsReadOnly(new WaylandInterface[]");
        code.Open();
        foreach (string name in interfaceNames) code.Line($"{Naming.ToPascalCase(name)}.Interface,");
        code.Close("});");
        code.Line();
        // A string switch compiles to a hash lookup, and unlike a dictionary needs no start-up work.
        code.Line("/// <summary>The interface with this wire name (as <c>wl_registry.global</c> announces it), or null.</summary>");
        code.Line("public static WaylandInterface? Find(string name) => name switch");
        code.Open();
        foreach (string name in interfaceNames)
        {
            string className = Naming.ToPascalCase(name);
            code.Line($"{className}.Name => {className}.Interface,");
        }
        code.Line("_ => null,");
        code.Close("};");
        code.Close();
        return code.ToString();
    }
}

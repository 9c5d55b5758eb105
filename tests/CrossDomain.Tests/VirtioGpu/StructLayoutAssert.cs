using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>A struct's size and the offset of each of its fields, as PROTOCOL.md tables them.</summary>
public sealed record ExpectedLayout(Type Struct, int Size, params (string Field, int Offset)[] Fields);

internal static class StructLayoutAssert
{
    public static TheoryData<string> Names(IEnumerable<ExpectedLayout> layouts) =>
        new(layouts.Select(layout => layout.Struct.Name));

    /// <summary>
    /// Checks the size and every field, and that the table names exactly the fields the struct
    /// declares, so a field added later cannot go unchecked.
    /// </summary>
    public static void Matches(IEnumerable<ExpectedLayout> layouts, string structName)
    {
        var expected = layouts.Single(layout => layout.Struct.Name == structName);
        var type = expected.Struct;

        Assert.Equal(expected.Size, RuntimeHelpers.SizeOf(type.TypeHandle));
        // Marshal.OffsetOf reports the marshalled layout; for a blittable struct it is the same
        // as the in-memory one, and equal sizes are the cheap proof that the struct is blittable.
        Assert.Equal(expected.Size, Marshal.SizeOf(type));

        var declared = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(field => (field.Name, Offset: (int)Marshal.OffsetOf(type, field.Name)));
        Assert.Equal(Describe(expected.Fields), Describe(declared));
    }

    /// <summary>Every wire struct in the namespace of <paramref name="sample"/> must have a row in the table.</summary>
    public static void CoverNamespaceOf(Type sample, IEnumerable<ExpectedLayout> layouts)
    {
        var wireStructs = sample.Assembly.GetTypes()
            .Where(type => type.Namespace == sample.Namespace && type.IsValueType && !type.IsEnum)
            .Where(type => type.GetCustomAttribute<InlineArrayAttribute>() is null)
            .Select(type => type.Name)
            .Order();
        Assert.Equal(wireStructs, layouts.Select(layout => layout.Struct.Name).Order());
    }

    private static IEnumerable<string> Describe(IEnumerable<(string Field, int Offset)> fields) =>
        fields.OrderBy(field => field.Offset).ThenBy(field => field.Field, StringComparer.Ordinal)
            .Select(field => $"{field.Field} @{field.Offset}")
            .ToList();
}

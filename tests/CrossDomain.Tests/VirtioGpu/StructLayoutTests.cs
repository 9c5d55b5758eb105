namespace CrossDomain.Tests.VirtioGpu;

/// <summary>A table of wire structs as PROTOCOL.md gives them, all of one namespace.</summary>
public interface IStructLayoutTable
{
    static abstract IReadOnlyList<ExpectedLayout> Layouts { get; }
}

/// <summary>
/// The two checks every layout table gets: each struct's size and field offsets, and a row for
/// every wire struct of the table's namespace. A test class derives from this with itself as the table.
/// </summary>
public abstract class StructLayoutTests<TTable> where TTable : IStructLayoutTable
{
    public static TheoryData<string> StructNames => StructLayoutAssert.Names(TTable.Layouts);

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Struct_size_and_field_offsets_match_the_protocol(string structName) =>
        StructLayoutAssert.Matches(TTable.Layouts, structName);

    [Fact]
    public void Every_struct_of_the_namespace_has_a_row() =>
        StructLayoutAssert.CoverNamespaceOf(TTable.Layouts[0].Struct, TTable.Layouts);
}

using CrossDomain.Wayland.Generator;

namespace CrossDomain.Tests.Generator;

public class GeneratorSnapshotTests
{
    [Fact]
    public void ProtocolFile_MatchesSnapshot()
    {
        var result = GeneratorHarness.Run(GeneratorHarness.TestProtocolFiles());

        Assert.Empty(result.Diagnostics);
        Snapshot.Match(GeneratorHarness.GeneratedSource(result, GeneratorTestProtocol.SnapshotName + ".g.cs"), GeneratorTestProtocol.SnapshotName);
    }

    [Fact]
    public void Registry_MatchesSnapshot()
    {
        var result = GeneratorHarness.Run(GeneratorHarness.TestProtocolFiles());

        Snapshot.Match(GeneratorHarness.GeneratedSource(result, WaylandProtocolGenerator.RegistryHintName), "WaylandProtocols");
    }

    [Fact]
    public void GeneratedFiles_AreOnePerXmlFilePlusTheRegistry()
    {
        var result = GeneratorHarness.Run(
        [
            InMemoryAdditionalText.Protocol("first.xml", """<protocol name="first"><interface name="first_one" version="1"/></protocol>"""),
            InMemoryAdditionalText.Protocol("second.xml", """<protocol name="second"><interface name="second_one" version="2"/></protocol>"""),
        ]);

        var hintNames = result.Results.Single().GeneratedSources.Select(source => source.HintName).Order(StringComparer.Ordinal);
        Assert.Equal(["WaylandProtocols.g.cs", "first.g.cs", "second.g.cs"], hintNames);
    }

    [Fact]
    public void SameFileNameInTwoFolders_GetsDistinctGeneratedFiles()
    {
        var result = GeneratorHarness.Run(
        [
            new InMemoryAdditionalText("/a/shell.xml", """<protocol name="a"><interface name="shell_a" version="1"/></protocol>""", WaylandProtocolGenerator.ProtocolMetadataKey),
            new InMemoryAdditionalText("/b/shell.xml", """<protocol name="b"><interface name="shell_b" version="1"/></protocol>""", WaylandProtocolGenerator.ProtocolMetadataKey),
        ]);

        Assert.Empty(result.Diagnostics);
        var hintNames = result.Results.Single().GeneratedSources.Select(source => source.HintName).Order(StringComparer.Ordinal);
        Assert.Equal(["WaylandProtocols.g.cs", "shell.2.g.cs", "shell.g.cs"], hintNames);
    }

    [Fact]
    public void SamePathListedTwice_IsGeneratedOnce()
    {
        // MSBuild does not deduplicate items, so a glob and an explicit include can name one file twice.
        const string Xml = """<protocol name="a"><interface name="listed_twice" version="1"/></protocol>""";
        var result = GeneratorHarness.Run([InMemoryAdditionalText.Protocol("twice.xml", Xml), InMemoryAdditionalText.Protocol("twice.xml", Xml)]);

        Assert.Empty(result.Diagnostics);
        var hintNames = result.Results.Single().GeneratedSources.Select(source => source.HintName).Order(StringComparer.Ordinal);
        Assert.Equal(["WaylandProtocols.g.cs", "twice.g.cs"], hintNames);
        Assert.Single(result.Results.Single().GeneratedSources, source => source.SourceText.ToString().Contains("ListedTwice.Interface,"));
    }

    [Fact]
    public void FilesWithoutProtocolMetadata_AreIgnored()
    {
        var result = GeneratorHarness.Run(
        [
            new InMemoryAdditionalText("/elsewhere/other.xml", """<protocol name="x"><interface name="x_one" version="1"/></protocol>""", "build_metadata.AdditionalFiles.Unrelated"),
        ]);

        Assert.Equal([WaylandProtocolGenerator.RegistryHintName], result.Results.Single().GeneratedSources.Select(source => source.HintName));
    }
}

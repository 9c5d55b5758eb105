using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using CrossDomain.Wayland.Generator;
using CrossDomain.Wayland.Protocol;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CrossDomain.Tests.Generator;

/// <summary>An additional file as the project would pass it, with its item metadata.</summary>
internal sealed class InMemoryAdditionalText(string path, string content, string metadataKey) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(content);

    public override string Path { get; } = path;

    public string MetadataKey { get; } = metadataKey;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;

    public static InMemoryAdditionalText Protocol(string fileName, string xml)
        => new("/protocols/" + fileName, xml, WaylandProtocolGenerator.ProtocolMetadataKey);

    public static InMemoryAdditionalText TypedMessages(string content)
        => new("/project/Protocol/TypedMessages.txt", content, WaylandProtocolGenerator.TypedMessagesMetadataKey);
}

internal sealed class DictionaryAnalyzerConfigOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
{
    public static readonly DictionaryAnalyzerConfigOptions Empty = new(new Dictionary<string, string>());

    public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
}

/// <summary>Gives each in-memory file its metadata, as CompilerVisibleItemMetadata does in a real build.</summary>
internal sealed class TestAnalyzerConfigOptionsProvider(IReadOnlyDictionary<string, string> globalOptions) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new DictionaryAnalyzerConfigOptions(globalOptions);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => DictionaryAnalyzerConfigOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile)
        => textFile is InMemoryAdditionalText inMemory
            ? new DictionaryAnalyzerConfigOptions(new Dictionary<string, string> { [inMemory.MetadataKey] = "true" })
            : DictionaryAnalyzerConfigOptions.Empty;
}

internal static class GeneratorHarness
{
    /// <summary>
    /// Where generated test code goes when compiled: the referenced CrossDomain.Wayland already has
    /// a WaylandProtocols in the default namespace, and a second one there would be a CS0436 warning.
    /// </summary>
    public const string TestNamespace = "CrossDomain.Tests.GeneratedProtocol";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> files, string? targetNamespace = null)
    {
        var globalOptions = new Dictionary<string, string>();
        if (targetNamespace is not null) globalOptions[WaylandProtocolGenerator.NamespacePropertyKey] = targetNamespace;
        return CSharpGeneratorDriver.Create(
            [new WaylandProtocolGenerator().AsSourceGenerator()],
            files,
            ParseOptions,
            new TestAnalyzerConfigOptionsProvider(globalOptions),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    public static GeneratorDriverRunResult Run(IEnumerable<AdditionalText> files, string? targetNamespace = null)
        => CreateDriver(files, targetNamespace).RunGenerators(CreateCompilation()).GetRunResult();

    public static AdditionalText[] TestProtocolFiles(string typedMessages = GeneratorTestProtocol.TypedMessages)
        =>
        [
            InMemoryAdditionalText.Protocol(GeneratorTestProtocol.FileName, GeneratorTestProtocol.Xml),
            InMemoryAdditionalText.TypedMessages(typedMessages),
        ];

    public static string GeneratedSource(GeneratorDriverRunResult result, string hintName)
    {
        var source = result.Results.Single().GeneratedSources.SingleOrDefault(generated => generated.HintName == hintName);
        Assert.True(source.HintName is not null, $"The generator produced no {hintName}; it produced: "
            + string.Join(", ", result.Results.Single().GeneratedSources.Select(generated => generated.HintName)));
        return source.SourceText.ToString();
    }

    /// <summary>
    /// An empty library compilation that references the framework and the assemblies generated code
    /// needs (the signature model and wire codec, and FileDescriptor).
    /// </summary>
    public static CSharpCompilation CreateCompilation(IEnumerable<SyntaxTree>? syntaxTrees = null)
    {
        return CSharpCompilation.Create(
            "GeneratorTestAssembly",
            syntaxTrees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The framework's own assemblies sit next to System.Private.CoreLib; the rest of the trusted
        // list is this test's dependencies, of which generated code needs only two.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(path => Path.GetDirectoryName(path) == frameworkDirectory)
            .Append(typeof(WaylandInterface).Assembly.Location)
            .Append(typeof(global::CrossDomain.Interop.FileDescriptor).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });
}

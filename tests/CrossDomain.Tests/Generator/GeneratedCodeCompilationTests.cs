using Microsoft.CodeAnalysis;

namespace CrossDomain.Tests.Generator;

public class GeneratedCodeCompilationTests
{
    [Fact]
    public void GeneratedTestProtocol_CompilesWithoutDiagnostics()
    {
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.TestProtocolFiles(), GeneratorHarness.TestNamespace);

        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.CreateCompilation(), out var output, out var generatorDiagnostics);

        Assert.Empty(generatorDiagnostics);
        Assert.Equal(2, output.SyntaxTrees.Count());
        // Hidden diagnostics are IDE hints (an unneeded using); anything louder would break a build
        // that treats warnings as errors.
        var reported = output.GetDiagnostics().Where(diagnostic => diagnostic.Severity != DiagnosticSeverity.Hidden);
        Assert.Empty(reported);
    }

    [Fact]
    public void GeneratedTestProtocol_DeclaresTheExpectedPublicTypes()
    {
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.TestProtocolFiles(), GeneratorHarness.TestNamespace);
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.CreateCompilation(), out var output, out _);

        string prefix = GeneratorHarness.TestNamespace + ".";
        foreach (string typeName in new[]
        {
            "TestEverything", "TestEverything+Requests", "TestEverything+Events", "TestEverything+MakeRequest",
            "TestEverything+BindAnyRequest", "TestEverything+NoticeEvent", "TestChild+ReleaseRequest", "TestChild+DoneEvent", "WaylandProtocols",
        })
        {
            var type = output.GetTypeByMetadataName(prefix + typeName);
            Assert.True(type is not null, typeName + " was not generated");
            Assert.Equal(Accessibility.Public, type.DeclaredAccessibility);
        }
        Assert.Null(output.GetTypeByMetadataName(prefix + "TestEverything+DestroyRequest"));
    }
}

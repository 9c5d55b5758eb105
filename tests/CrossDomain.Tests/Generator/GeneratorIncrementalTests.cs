using CrossDomain.Wayland.Generator;
using Microsoft.CodeAnalysis;

namespace CrossDomain.Tests.Generator;

/// <summary>The pipeline's models must compare by value, or every keystroke in an IDE regenerates everything.</summary>
public class GeneratorIncrementalTests
{
    [Fact]
    public void SecondRunWithSameInputs_IsServedFromCache()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var driver = GeneratorHarness.CreateDriver(GeneratorHarness.TestProtocolFiles()).RunGenerators(compilation);

        var second = driver.RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.NotEmpty(second.TrackedOutputSteps);
        var outputReasons = second.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(output => output.Reason);
        Assert.All(outputReasons, reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void ChangingOnlyTheTypedList_DoesNotReparseTheXml()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var files = GeneratorHarness.TestProtocolFiles();
        var driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation);

        var editedList = InMemoryAdditionalText.TypedMessages("test_child.done\n");
        var result = driver.ReplaceAdditionalText(files[1], editedList).RunGenerators(compilation).GetRunResult().Results.Single();

        var parseReasons = result.TrackedSteps[WaylandProtocolGenerator.TrackingNames.ProtocolModel].SelectMany(run => run.Outputs).Select(output => output.Reason);
        Assert.All(parseReasons, reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        var declarationReasons = result.TrackedSteps[WaylandProtocolGenerator.TrackingNames.InterfaceDeclarations].SelectMany(run => run.Outputs).Select(output => output.Reason);
        Assert.All(declarationReasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void EditingOnlyCommentsInTheTypedList_LeavesGeneratedCodeAlone()
    {
        var compilation = GeneratorHarness.CreateCompilation();
        var files = GeneratorHarness.TestProtocolFiles();
        var driver = GeneratorHarness.CreateDriver(files).RunGenerators(compilation);

        var commented = InMemoryAdditionalText.TypedMessages("# a new comment line\n" + GeneratorTestProtocol.TypedMessages);
        var result = driver.ReplaceAdditionalText(files[1], commented).RunGenerators(compilation).GetRunResult().Results.Single();

        // Only the step that checks the list against the XML sees the moved lines; the protocol
        // and registry outputs depend on the message names alone and stay cached.
        var outputReasons = result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(output => output.Reason).ToList();
        Assert.Single(outputReasons, reason => reason != IncrementalStepRunReason.Cached);
    }
}

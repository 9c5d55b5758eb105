using Microsoft.CodeAnalysis;

namespace CrossDomain.Tests.Generator;

public class GeneratorDiagnosticTests
{
    [Fact]
    public void UnknownTypedMessage_IsAnErrorAtItsLine()
    {
        var result = GeneratorHarness.Run(GeneratorHarness.TestProtocolFiles("""
            # the first entry is fine
            test_everything.make
            test_everything.no_such_message
            no_such_interface.make
            """));

        var errors = result.Diagnostics.Where(diagnostic => diagnostic.Id == "WLGEN001").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, error => Assert.Equal(DiagnosticSeverity.Error, error.Severity));
        Assert.Contains("test_everything.no_such_message", errors[0].GetMessage());
        Assert.Equal(2, errors[0].Location.GetLineSpan().StartLinePosition.Line);
        Assert.EndsWith("TypedMessages.txt", errors[0].Location.GetLineSpan().Path);
        Assert.Contains("no_such_interface.make", errors[1].GetMessage());
    }

    [Fact]
    public void MalformedTypedMessageLine_IsAnError()
    {
        var result = GeneratorHarness.Run(GeneratorHarness.TestProtocolFiles("test_everything\ntest_everything.make.extra\n"));

        Assert.Equal(["WLGEN004", "WLGEN004"], result.Diagnostics.Select(diagnostic => diagnostic.Id));
    }

    [Fact]
    public void MalformedXml_IsAnErrorAndDoesNotStopOtherFiles()
    {
        var result = GeneratorHarness.Run(
        [
            InMemoryAdditionalText.Protocol("broken.xml", "<protocol name=\"broken\"><interface name=\"x\""),
            InMemoryAdditionalText.Protocol(GeneratorTestProtocol.FileName, GeneratorTestProtocol.Xml),
        ]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("WLGEN002", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("TestEverything", GeneratorHarness.GeneratedSource(result, "WaylandProtocols.g.cs"));
    }

    [Fact]
    public void UnknownArgumentType_IsAnErrorAndLeavesTheInterfaceOut()
    {
        var result = GeneratorHarness.Run(
        [
            InMemoryAdditionalText.Protocol("odd.xml", """
                <protocol name="odd">
                  <interface name="odd_one" version="1">
                    <request name="go"><arg name="when" type="timestamp"/></request>
                  </interface>
                </protocol>
                """),
        ]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("WLGEN003", error.Id);
        Assert.Contains("timestamp", error.GetMessage());
        Assert.Equal(2, error.Location.GetLineSpan().StartLinePosition.Line);
        Assert.DoesNotContain("OddOne", GeneratorHarness.GeneratedSource(result, "odd.g.cs"));
    }

    [Fact]
    public void InterfaceDeclaredTwice_IsAnError()
    {
        var result = GeneratorHarness.Run(
        [
            InMemoryAdditionalText.Protocol("one.xml", """<protocol name="one"><interface name="twice" version="1"/></protocol>"""),
            InMemoryAdditionalText.Protocol("two.xml", """<protocol name="two"><interface name="twice" version="1"/></protocol>"""),
        ]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("WLGEN005", error.Id);
        Assert.Contains("one.xml", error.GetMessage());
        Assert.Contains("two.xml", error.GetMessage());
    }
}

using CrossDomain.Fuzz.Targets;
using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.Fuzz;

/// <summary>
/// Every input AFL kept (and every crash turned regression) stays a test: each corpus file goes
/// through the same target code the fuzzer drives, in-process and uninstrumented. An exception,
/// a finding the target reports (an error log, a reply never answered), or an fd left open fails.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class CorpusReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(target => target.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_input_is_handled_and_leaves_no_fd_behind(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var files = CorpusFiles(name);
        Assert.NotEmpty(files);
        // The first run opens what the runtime opens once (the event loop's, the socket directory's).
        target.Run(File.ReadAllBytes(files[0]));
        var before = FdAccounting.Snapshot();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception exception)
            {
                Assert.Fail($"{name} input {Path.GetFileName(file)}: {exception}");
            }
        }
        FdAccounting.AssertNoneOpenedSince(before);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_seeds_are_in_the_corpus(string name)
    {
        var corpus = CorpusFiles(name).Select(File.ReadAllBytes).ToList();
        foreach (var (seed, input) in FuzzTargets.Find(name)!.Seeds())
            Assert.True(corpus.Any(file => file.AsSpan().SequenceEqual(input)), $"seed {seed} of {name} is not in its corpus: run CrossDomain.Fuzz seed");
    }

    private static string[] CorpusFiles(string target) =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fuzz-corpus", target)).Order(StringComparer.Ordinal).ToArray();
}

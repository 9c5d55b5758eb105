using CrossDomain.Tests.Support;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// A leak check in the spirit of <see cref="FdAccounting"/> for tests that run long enough (and
/// allocate enough) for the runtime to act meanwhile:
/// <list type="bullet">
/// <item>the snapshot is taken after a full GC with finalizers, so handles other tests abandoned
/// are closed before it rather than during the test;</item>
/// <item>only fds that appeared count: a leak opens fds, while the runtime may still close
/// stragglers of earlier tests (a reused number with a new target counts as appeared);</item>
/// <item>assemblies the runtime loads lazily on its own threads (it keeps their files open) are
/// not ours;</item>
/// <item>the failure names only the fds that differ.</item>
/// </list>
/// </summary>
internal static class FdLeakAssert
{
    public static SortedDictionary<int, string> Snapshot()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return WithoutAssemblies(FdAccounting.OpenFds());
    }

    public static void Unchanged(SortedDictionary<int, string> before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        var opened = OpenedSince(before);
        while (opened.Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            opened = OpenedSince(before);
        }
        Assert.True(opened.Count == 0, "fds opened and not closed: " + string.Join(", ", opened.Select(fd => $"{fd.Key} {fd.Value}")));
    }

    private static List<KeyValuePair<int, string>> OpenedSince(SortedDictionary<int, string> before) =>
        WithoutAssemblies(FdAccounting.OpenFds()).Except(before).ToList();

    private static SortedDictionary<int, string> WithoutAssemblies(SortedDictionary<int, string> fds) =>
        new(fds.Where(fd => !fd.Value.EndsWith(".dll", StringComparison.Ordinal)).ToDictionary());
}

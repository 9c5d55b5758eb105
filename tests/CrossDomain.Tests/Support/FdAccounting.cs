namespace CrossDomain.Tests.Support;

/// <summary>
/// Tests that check this process's fd table. They run alone: any other test opening an fd at the
/// same time would make the comparison meaningless. Even alone, the runtime acts meanwhile, so:
/// <list type="bullet">
/// <item>the snapshot is taken after a full GC with finalizers, so handles earlier tests abandoned
/// are closed before it rather than during the test;</item>
/// <item>only fds that appeared count: a leak opens fds, while the runtime may still close
/// stragglers (a reused number with a new target counts as appeared);</item>
/// <item>assemblies the runtime loads lazily (it keeps their files open) are not ours.</item>
/// </list>
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdAccounting
{
    public const string Name = "fd accounting";

    public static SortedDictionary<int, string> Snapshot()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return WithoutAssemblies(OpenFds());
    }

    /// <summary>Fails, naming them, when fds opened since <paramref name="before"/> are still open a second later.</summary>
    public static void AssertNoneOpenedSince(SortedDictionary<int, string> before)
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

    /// <summary>The open fds by number and target.</summary>
    public static SortedDictionary<int, string> OpenFds()
    {
        var result = new SortedDictionary<int, string>();
        foreach (var path in Directory.GetFiles("/proc/self/fd"))
        {
            string target;
            try { target = new FileInfo(path).LinkTarget ?? "?"; }
            catch (IOException) { continue; } // the fd of the directory listing itself, closed by now
            result[int.Parse(Path.GetFileName(path))] = target;
        }
        return result;
    }

    private static List<KeyValuePair<int, string>> OpenedSince(SortedDictionary<int, string> before) =>
        WithoutAssemblies(OpenFds()).Except(before).ToList();

    private static SortedDictionary<int, string> WithoutAssemblies(SortedDictionary<int, string> fds) =>
        new(fds.Where(fd => !fd.Value.EndsWith(".dll", StringComparison.Ordinal)).ToDictionary());
}

namespace CrossDomain.Tests.Support;

/// <summary>
/// Tests that count this process's open fds. They run alone: any other test opening an fd at the
/// same time would make the counts meaningless.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdAccounting
{
    public const string Name = "fd accounting";

    public static int OpenFdCount() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>
    /// Asserts the fd table is back to <paramref name="before"/>. The test host's own threads open
    /// and close fds now and then (sockets, pipes), so a difference must persist for a second
    /// before it counts as ours; a leak persists, a passing runtime fd does not.
    /// </summary>
    public static void AssertUnchanged(SortedDictionary<int, string> before)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        var now = OpenFds();
        while (!now.SequenceEqual(before) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            now = OpenFds();
        }
        var opened = now.Where(fd => !before.TryGetValue(fd.Key, out var target) || target != fd.Value).Select(fd => $"{fd.Key} -> {fd.Value}");
        var closed = before.Where(fd => !now.TryGetValue(fd.Key, out var target) || target != fd.Value).Select(fd => $"{fd.Key} -> {fd.Value}");
        Assert.True(now.SequenceEqual(before),
            $"the fd table changed; opened: [{string.Join(", ", opened)}]; closed: [{string.Join(", ", closed)}]");
    }

    public static void AssertUnchanged(int countBefore)
    {
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (OpenFdCount() != countBefore && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Equal(countBefore, OpenFdCount());
    }

    /// <summary>The open fds by number and target, for a readable failure message.</summary>
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
}

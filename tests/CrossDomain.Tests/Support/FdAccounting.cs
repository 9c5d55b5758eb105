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

using System.Globalization;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// What some processes and all their descendants cost, from /proc: CPU time (user + system) is
/// utime + stime of each live process plus cutime + cstime (its reaped children, such as the
/// per-connection processes waypipe forks), in clock ticks of 10 ms, so measure phases of
/// seconds; peak memory is the sum of each live process's VmHWM.
/// </summary>
internal static class ProcessTreeUsage
{
    private static readonly double SecondsPerTick = 1.0 / 100;

    public static TimeSpan Cpu(IReadOnlyCollection<int> rootPids)
    {
        long ticks = 0;
        foreach (var process in Tree(rootPids)) ticks += process.Ticks;
        return TimeSpan.FromSeconds(ticks * SecondsPerTick);
    }

    /// <summary>The sum of the peak resident set sizes of the tree's live processes, MiB.</summary>
    public static double PeakResidentMiB(IReadOnlyCollection<int> rootPids)
    {
        long kib = 0;
        foreach (var process in Tree(rootPids)) kib += ReadPeakResidentKiB(process.Pid);
        return kib / 1024.0;
    }

    private readonly record struct ProcessStat(int Pid, int Parent, long Ticks);

    private static List<ProcessStat> Tree(IReadOnlyCollection<int> rootPids)
    {
        var tree = new List<ProcessStat>();
        if (rootPids.Count == 0) return tree;
        var stats = new Dictionary<int, ProcessStat>();
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid)) continue;
            if (!TryReadStat(pid, out var stat)) continue;
            stats[pid] = stat;
            if (!children.TryGetValue(stat.Parent, out var list)) children[stat.Parent] = list = [];
            list.Add(pid);
        }
        var pending = new Stack<int>(rootPids);
        while (pending.TryPop(out int pid))
        {
            if (stats.TryGetValue(pid, out var stat)) tree.Add(stat);
            if (children.TryGetValue(pid, out var list)) foreach (int child in list) pending.Push(child);
        }
        return tree;
    }

    private static bool TryReadStat(int pid, out ProcessStat stat)
    {
        stat = default;
        if (!TryReadAll($"/proc/{pid}/stat", out string text)) return false;
        // The command name may hold spaces and parentheses: the fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
        long ticks = 0;
        for (int field = 14; field <= 17; field++) ticks += long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        stat = new ProcessStat(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), ticks);
        return true;
    }

    private static long ReadPeakResidentKiB(int pid)
    {
        if (!TryReadAll($"/proc/{pid}/status", out string status)) return 0;
        foreach (var line in status.AsSpan().EnumerateLines())
            if (line.StartsWith("VmHWM:"))
                return long.Parse(line["VmHWM:".Length..].Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        return 0;
    }

    private static bool TryReadAll(string path, out string text)
    {
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            text = "";
            return false;
        }
    }
}

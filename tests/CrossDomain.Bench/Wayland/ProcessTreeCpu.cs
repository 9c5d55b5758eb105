using System.Globalization;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// CPU time (user + system) of some processes and all their descendants, from /proc/PID/stat:
/// utime + stime of each live process plus cutime + cstime (its reaped children, such as the
/// per-connection processes waypipe forks). Clock ticks of 10 ms: measure phases of seconds.
/// </summary>
internal static class ProcessTreeCpu
{
    private static readonly double SecondsPerTick = 1.0 / 100;

    public static TimeSpan Read(IReadOnlyCollection<int> rootPids)
    {
        if (rootPids.Count == 0) return TimeSpan.Zero;
        var children = new Dictionary<int, List<int>>();
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid)) continue;
            if (!TryReadStat(pid, out int parent, out long processTicks)) continue;
            ticks[pid] = processTicks;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        long total = 0;
        var pending = new Stack<int>(rootPids);
        while (pending.TryPop(out int pid))
        {
            total += ticks.GetValueOrDefault(pid);
            if (children.TryGetValue(pid, out var list)) foreach (int child in list) pending.Push(child);
        }
        return TimeSpan.FromSeconds(total * SecondsPerTick);
    }

    private static bool TryReadStat(int pid, out int parent, out long ticks)
    {
        parent = 0;
        ticks = 0;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        // The command name may hold spaces and parentheses: the fields start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
        parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
        for (int field = 14; field <= 17; field++) ticks += long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        return true;
    }
}

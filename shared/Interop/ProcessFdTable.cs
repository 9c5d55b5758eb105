using System.Runtime.InteropServices;

namespace CrossDomain.Interop;

/// <summary>
/// The process's fd table: how many fds it may open (RLIMIT_NOFILE) and how many are open. At the
/// limit the .NET runtime cannot start a thread (each needs a pipe) and ends the process, so code
/// that starts threads on a guest's or front-end's behalf checks the headroom first.
/// </summary>
public static partial class ProcessFdTable
{
    private const int RlimitNofile = 7;

    /// <summary>The soft limit; <see cref="int.MaxValue"/> when unlimited or unreadable.</summary>
    public static int SoftLimit => GetLimit(out var limit) ? Clamp(limit.Current) : int.MaxValue;

    /// <summary>Fds open now; null when even /proc/self/fd cannot be read (which takes one more fd).</summary>
    public static int? CountOpen()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether at least <paramref name="fds"/> more may be opened; false when that cannot be known.</summary>
    public static bool HasRoomFor(int fds) => CountOpen() is { } open && SoftLimit - open >= fds;

    /// <summary>
    /// Raises the soft limit to the hard one, as systemd advises services that never use select():
    /// the soft limit of 1024 is for select()'s sake. Gives the limits in force afterwards (raised or
    /// not, since a hard limit past fs.nr_open is refused); false when they cannot be read.
    /// </summary>
    public static bool TryRaiseToHardLimit(out ulong soft, out ulong hard)
    {
        soft = hard = 0;
        if (!GetLimit(out var limit)) return false;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (setrlimit(RlimitNofile, in raised) == 0) limit = raised;
        }
        (soft, hard) = (limit.Current, limit.Maximum);
        return true;
    }

    private static bool GetLimit(out ResourceLimit limit) => getrlimit(RlimitNofile, out limit) == 0;

    private static int Clamp(ulong value) => value > int.MaxValue ? int.MaxValue : (int)value;

    [StructLayout(LayoutKind.Sequential)]
    private record struct ResourceLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in ResourceLimit limit);
}

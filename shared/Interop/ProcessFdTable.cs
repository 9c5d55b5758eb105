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
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloExec = 0x80000;

    /// <summary>The soft limit; <see cref="int.MaxValue"/> when unlimited or unreadable.</summary>
    public static int SoftLimit => GetLimit(out var limit) ? Clamp(limit.Current) : int.MaxValue;

    /// <summary>Fds open now; null when even /proc/self/fd cannot be read (which takes one more fd).</summary>
    public static int? CountOpen() => Enumerate(null);

    /// <summary>The numbers of the fds open now, into <paramref name="fds"/>; false when /proc/self/fd cannot be read.</summary>
    public static bool ListOpen(List<int> fds)
    {
        fds.Clear();
        return Enumerate(fds) is not null;
    }

    private static unsafe int? Enumerate(List<int>? numbers)
    {
        // getdents64 on the directory, not Directory.Enumerate*: that stats every entry's link
        // target, two syscalls per open fd, on a path the listener takes for every connection.
        int directory = open("/proc/self/fd", ORdOnly | ODirectory | OCloExec);
        if (directory < 0) return null;
        try
        {
            const int BufferLength = 16 << 10;
            byte* buffer = stackalloc byte[BufferLength];
            int count = 0;
            while (true)
            {
                long length = getdents64(directory, buffer, BufferLength);
                if (length < 0) return null;
                if (length == 0) break;
                // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, then the name.
                for (long offset = 0; offset < length; offset += *(ushort*)(buffer + offset + 16))
                {
                    byte* name = buffer + offset + 19;
                    if (name[0] == '.') continue;
                    int fd = 0;
                    for (; *name != 0; name++) fd = fd * 10 + (*name - '0');
                    if (fd == directory) continue;
                    numbers?.Add(fd);
                    count++;
                }
            }
            return count;
        }
        finally
        {
            close(directory);
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

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    // glibc has had the wrapper since 2.30.
    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint getdents64(int fd, byte* buffer, nuint length);
}

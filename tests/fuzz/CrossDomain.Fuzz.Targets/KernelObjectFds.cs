using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Which fds opened since a snapshot are of the kinds a session makes (pipes, sockets, eventfds,
/// epoll, memfds). Files are left out: the runtime opens assemblies and libraries lazily, on the
/// first input that reaches code needing them, and keeps them open.
/// </summary>
internal static unsafe partial class KernelObjectFds
{
    private static readonly List<int> Before = [];
    private static readonly List<int> Now = [];

    public static void Snapshot() => ProcessFdTable.ListOpen(Before);

    /// <summary>The fds of those kinds opened since the snapshot, as their links read ("pipe:[123]"); null when none.</summary>
    public static string? OpenedSinceSnapshot()
    {
        if (!ProcessFdTable.ListOpen(Now)) return null;
        List<string>? opened = null;
        foreach (int fd in Now)
            if (!Before.Contains(fd) && KernelObjectLink(fd) is { } link) (opened ??= []).Add($"{fd} {link}");
        return opened is null ? null : string.Join(", ", opened);
    }

    private static string? KernelObjectLink(int fd)
    {
        byte* target = stackalloc byte[64];
        nint length;
        fixed (byte* path = System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{fd}\0"))
            length = readlink(path, target, 63);
        if (length <= 0) return null;
        var link = new ReadOnlySpan<byte>(target, (int)length);
        bool kernelObject = link.StartsWith("pipe:"u8) || link.StartsWith("socket:"u8) || link.StartsWith("anon_inode:"u8) || link.StartsWith("/memfd:"u8);
        return kernelObject ? System.Text.Encoding.ASCII.GetString(link) : null;
    }

    [LibraryImport("libc")]
    private static partial nint readlink(byte* path, byte* buffer, nuint size);
}

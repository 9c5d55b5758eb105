using System.Runtime.InteropServices;

namespace CrossDomain.Interop;

/// <summary>The process's limit on open fds (RLIMIT_NOFILE).</summary>
public static unsafe partial class FileDescriptorLimit
{
    /// <summary>RLIMIT_NOFILE in asm-generic, which x86_64 and both Arm ABIs use.</summary>
    private const int ResourceNoFile = 7;

    /// <summary>
    /// Raises the soft limit to the hard one, as systemd advises for services that never use
    /// select(): the soft limit stays low (1024) only for programs whose fd_set cannot go past it.
    /// Returns the limits as they are afterwards (raised or not); false when they cannot be read.
    /// </summary>
    public static bool TryRaiseToHardLimit(out ulong soft, out ulong hard)
    {
        ResourceLimit limit;
        if (GetLimit(ResourceNoFile, &limit) != 0)
        {
            soft = hard = 0;
            return false;
        }
        if (limit.Current < limit.Maximum)
        {
            var raised = new ResourceLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            // Refused only where the hard limit is past what the kernel allows (fs.nr_open): the old one stands.
            if (SetLimit(ResourceNoFile, &raised) == 0) limit = raised;
        }
        soft = limit.Current;
        hard = limit.Maximum;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, ResourceLimit* limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, ResourceLimit* limit);

    /// <summary>struct rlimit: rlim_t is unsigned long.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public nuint Current;
        public nuint Maximum;
    }
}

using CrossDomain.Interop;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// Tells eventfds from other fds. Kick, call and err fds are written and read as 8-byte counters;
/// anything else (a pipe, a socket, a file) could block, fail or be written to, so it is refused
/// on arrival instead of failing later on the device's hot path.
/// </summary>
internal static class EventFdCheck
{
    private const string EventFdLinkTarget = "anon_inode:[eventfd]";

    public static bool IsEventFd(FileDescriptor fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd.Fd}").LinkTarget == EventFdLinkTarget;
        }
        catch (IOException)
        {
            return false;
        }
    }
}

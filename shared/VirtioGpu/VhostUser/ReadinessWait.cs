using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// poll(2) on one or two fds, for the request/response paths that must wait for a peer: the
/// front-end's handshake and a back-end's SHMEM_MAP ack. No epoll instance, so no fd to leak.
/// </summary>
internal static unsafe partial class ReadinessWait
{
    public const short Readable = 0x001;   // POLLIN
    public const short Writable = 0x004;   // POLLOUT
    public const short Error = 0x008;      // POLLERR
    public const short HangUp = 0x010;     // POLLHUP

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>
    /// Waits until <paramref name="fd"/> reports one of <paramref name="events"/> (or an error or
    /// hang-up, which the next read or write will report properly). Returns false on timeout.
    /// </summary>
    public static bool Wait(int fd, short events, int timeoutMilliseconds) =>
        WaitEither(fd, events, -1, 0, timeoutMilliseconds) != 0;

    /// <summary>
    /// Waits on two fds; returns 1 or 2 for the first or second being ready (1 when both are),
    /// 0 on timeout. A negative <paramref name="second"/> is ignored, as poll itself does.
    /// </summary>
    public static int WaitEither(int first, short firstEvents, int second, short secondEvents, int timeoutMilliseconds)
    {
        PollFd* fds = stackalloc PollFd[2];
        fds[0] = new PollFd { Fd = first, Events = firstEvents };
        fds[1] = new PollFd { Fd = second, Events = secondEvents };
        long deadline = Environment.TickCount64 + Math.Max(0, timeoutMilliseconds);
        while (true)
        {
            int remaining = timeoutMilliseconds < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            int count = Poll(fds, 2, remaining);
            if (count > 0)
            {
                if (fds[0].ReturnedEvents != 0) return 1;
                if (fds[1].ReturnedEvents != 0) return 2;
            }
            if (count == 0) return 0;
            if (count < 0 && Marshal.GetLastPInvokeError() != EINTR)
                throw new InvalidOperationException($"poll failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
}

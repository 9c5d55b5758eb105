using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// Settles the fd table before a test counts fds. One pass through the cross-domain paths (a
/// context relaying bytes and fds both ways) opens what the runtime opens once, on first use
/// (assembly images); then finalizers run, so that handles earlier tests dropped without disposing
/// (process pipes, say) are not closed in the middle of the count.
/// </summary>
internal static class CrossDomainWarmUp
{
    public static void Run()
    {
        RelayOnce();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void RelayOnce()
    {
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath);
        var guest = device.CreateGuest(1).CreateRings().Init();
        compositor.AcceptConnection();
        guest.SubmitOk(CrossDomainCommands.Send("warm-up"u8, (0x8000_0001, IdentifierType.ReadPipe)));
        foreach (var fd in compositor.ReceiveFromGuest(7).Fds) fd.Dispose();
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        using (writeEnd)
        using (var memfd = TestFds.MemfdWith(new byte[16]))
        using (var eventFd = EventFd.Create())
        {
            compositor.SendToGuest("warm-up"u8, memfd, writeEnd, eventFd.Handle);
        }
        guest.PollForMessage();
    }
}

using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// One pass through the cross-domain paths (a context relaying bytes and fds both ways) before a
/// test counts fds: the runtime opens some files once, on first use (assembly images), and those
/// must be open before the count, not appear in it.
/// </summary>
internal static class CrossDomainWarmUp
{
    public static void Run()
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

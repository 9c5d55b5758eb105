using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>CTX_DESTROY closes everything the context held: compositor connection, pipes, items (by fd count).</summary>
[Collection(FdAccounting.Name)]
public sealed class ContextDestroyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void Destroying_a_context_closes_its_connection_pipes_and_items_and_returns_its_poll()
    {
        CrossDomainWarmUp.Run();
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath);
        var before = FdAccounting.Snapshot();

        var guest = device.CreateGuest(1).CreateRings().Init();
        compositor.AcceptConnection();
        guest.GetImageRequirements(64, 64, 0x34325241);

        // A read pipe (the compositor holds its write end) …
        guest.SubmitOk(CrossDomainCommands.Send("receive"u8, (0x8000_0001, IdentifierType.ReadPipe)));
        using var readPipeWriteEnd = Assert.Single(compositor.ReceiveFromGuest(7).Fds);
        // … a write pipe and memory from the compositor, neither consumed by the guest …
        var (writePipeReadEnd, writePipeWriteEnd) = Pipe.Create();
        using (var memfd = TestFds.MemfdWith(new byte[5000])) compositor.SendToGuest("send + keymap"u8, writePipeWriteEnd, memfd);
        writePipeWriteEnd.Dispose();
        Assert.Equal(2, guest.PollForMessage().Identifiers.Length);
        // … a write queued for a reader that does not read …
        uint writePipeId = 0;
        foreach (var identifier in guest.ReadChannelRing().Identifiers)
            if (identifier.Type == IdentifierType.WritePipe) writePipeId = identifier.Id;
        for (int i = 0; i < 20; i++) guest.SubmitOk(CrossDomainCommands.Write(writePipeId, new byte[4000], hangUp: false));
        // … and a poll waiting.
        var poll = guest.Poll();

        device.Harness.SendOk(Device.GpuRequests.DestroyContext(guest.ContextId));

        Assert.True(poll.IsCompleted);
        Assert.Equal(CommandType.OkNoData, poll.Type);
        Assert.Equal(IoStatus.EndOfStream, compositor.Connection.Receive(new byte[16], []).Status);
        Assert.Equal(IoStatus.Failed, Pipe.Write(readPipeWriteEnd, "nobody reads"u8).Status);
        using (writePipeReadEnd)
        {
            // What was in the pipe is there, the queued rest is dropped, and the reader sees end of file.
            Assert.InRange(TestFds.ReadAll(writePipeReadEnd, Timeout).Length, 1, 20 * 4000 - 1);
        }
        readPipeWriteEnd.Dispose();
        compositor.CloseConnection();
        // The two ring blobs are the device's, not the context's.
        foreach (uint ring in new[] { guest.QueryRingId, guest.ChannelRingId }) device.Harness.SendOk(Device.GpuRequests.Unref(ring));
        FdAccounting.AssertNoneOpenedSince(before);
    }
}

using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Host.Queues;
using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// vhost-user messages into a real <c>VhostUserBackendSession</c> serving the real queues and
/// device. The session reads a socket, so the fuzzer's front-end is the other end of a socketpair
/// in this process, and the loop is turned by hand: no thread, no wait. An input is a list of
/// messages: a byte whose bits pick the fds to attach (bit 0 a 64 KiB memfd, bits 1 and 2 an
/// eventfd each), then the message's bytes as a record (header and payload, as the fuzzer made
/// them). The socketpair carries them as one datagram-free stream, as a front-end would.
/// </summary>
public sealed class VhostUserTarget : FuzzTarget
{
    private const int MaxMessages = 64;
    private const int TurnsPerMessage = 4;

    public override string Name => "vhost-user";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var logger = new FindingLogger();
        var registry = new ContextTypeRegistry();
        registry.Register(new CrossDomainContextType(new CrossDomainOptions(), logger));
        var (frontEnd, backEnd) = UnixSocket.CreatePair();
        VirtioGpuDevice? device = null;
        VhostUserGpuDevice? queues = null;
        using (var loop = new EventLoop())
        using (frontEnd)
        {
            var session = new VhostUserBackendSession(backEnd, loop, window =>
            {
                device = new VirtioGpuDevice(new VirtioGpuDeviceOptions(), registry, EmptyGuestMemory.Instance, window, logger, loop);
                queues = new VhostUserGpuDevice(device, 1 << 20, logger, loop);
                return queues;
            }, VhostUserBackendOptions.Default, logger);
            try
            {
                var reader = new FuzzInput(input);
                var replies = new byte[4096];
                var replyFds = new List<FileDescriptor>();
                for (int i = 0; i < MaxMessages && !reader.IsEmpty && !session.IsClosed; i++)
                {
                    byte fdKinds = reader.Byte();
                    Send(frontEnd, fdKinds, reader.Record());
                    for (int turn = 0; turn < TurnsPerMessage && loop.RunOnce(0) > 0; turn++) { }
                    while (frontEnd.Receive(replies, replyFds).Status == IoStatus.Done)
                    {
                        foreach (var fd in replyFds) fd.Dispose();
                        replyFds.Clear();
                    }
                    foreach (var fd in replyFds) fd.Dispose();
                    replyFds.Clear();
                }
            }
            finally
            {
                session.Dispose();
                queues?.Dispose();
                device?.Dispose();
                loop.RunOnce(0);
            }
        }
        logger.ThrowIfErrors();
    }

    private static void Send(UnixSocket frontEnd, byte fdKinds, ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty) return;
        var fds = new List<FileDescriptor>();
        try
        {
            if ((fdKinds & 1) != 0) fds.Add(MemFd.Create("fuzz-guest-ram", 64 << 10));
            if ((fdKinds & 2) != 0) fds.Add(EventFd.Create().Handle);
            if ((fdKinds & 4) != 0) fds.Add(EventFd.Create().Handle);
            frontEnd.Send(message, fds.ToArray());
        }
        finally
        {
            foreach (var fd in fds) fd.Dispose();
        }
    }

    private static byte[] Message(FrontendRequest request, ReadOnlySpan<byte> payload, bool needsReply = false)
    {
        var flags = MessageFlags.Version1 | (needsReply ? MessageFlags.NeedReply : 0);
        var writer = new FuzzInputWriter().UInt32((uint)request).UInt32((uint)flags).UInt32((uint)payload.Length).Bytes(payload);
        return writer.ToArray();
    }

    private static byte[] U64(ulong value) => new FuzzInputWriter().UInt64(value).ToArray();

    public override IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        const ulong GuestBase = 0x1000_0000, UserBase = 0x7f00_0000_0000;
        byte[] memTable = new FuzzInputWriter().UInt32(1).UInt32(0).UInt64(GuestBase).UInt64(64 << 10).UInt64(UserBase).UInt64(0).ToArray();
        byte[] vringNum = new FuzzInputWriter().UInt32(0).UInt32(8).ToArray();
        byte[] vringBase = new FuzzInputWriter().UInt32(0).UInt32(0).ToArray();
        byte[] vringAddr = new FuzzInputWriter().UInt32(0).UInt32(0)
            .UInt64(UserBase).UInt64(UserBase + 0x200).UInt64(UserBase + 0x100).UInt64(0).ToArray();
        byte[] enable = new FuzzInputWriter().UInt32(0).UInt32(1).ToArray();
        byte[] getConfig = new FuzzInputWriter().UInt32(0).UInt32(16).UInt32(0).Bytes(new byte[16]).ToArray();

        FuzzInputWriter Step(FuzzInputWriter writer, byte fds, byte[] message) => writer.Byte(fds).Record(message);

        var handshake = new FuzzInputWriter();
        Step(handshake, 0, Message(FrontendRequest.GetFeatures, default));
        Step(handshake, 0, Message(FrontendRequest.SetOwner, default));
        Step(handshake, 0, Message(FrontendRequest.GetProtocolFeatures, default));
        Step(handshake, 0, Message(FrontendRequest.SetProtocolFeatures, U64(0x1 | 0x8 | 0x200), needsReply: true));
        Step(handshake, 0, Message(FrontendRequest.SetFeatures, U64(1UL << 32 | 1UL << 30 | 0x1F)));
        yield return ("handshake", handshake.ToArray());

        var ring = new FuzzInputWriter().Bytes(handshake.ToArray());
        Step(ring, 1, Message(FrontendRequest.SetMemTable, memTable, needsReply: true));
        Step(ring, 0, Message(FrontendRequest.SetVringNum, vringNum));
        Step(ring, 0, Message(FrontendRequest.SetVringBase, vringBase));
        Step(ring, 0, Message(FrontendRequest.SetVringAddr, vringAddr));
        Step(ring, 2, Message(FrontendRequest.SetVringCall, U64(0)));
        Step(ring, 2, Message(FrontendRequest.SetVringKick, U64(0)));
        Step(ring, 0, Message(FrontendRequest.SetVringEnable, enable));
        Step(ring, 0, Message(FrontendRequest.GetVringBase, vringBase));
        yield return ("ring", ring.ToArray());

        var config = new FuzzInputWriter();
        Step(config, 0, Message(FrontendRequest.GetProtocolFeatures, default));
        Step(config, 0, Message(FrontendRequest.SetProtocolFeatures, U64(0x200)));
        Step(config, 0, Message(FrontendRequest.GetConfig, getConfig));
        Step(config, 0, Message(FrontendRequest.GetQueueNum, default));
        Step(config, 0, Message(FrontendRequest.ResetOwner, default));
        yield return ("config", config.ToArray());
    }
}

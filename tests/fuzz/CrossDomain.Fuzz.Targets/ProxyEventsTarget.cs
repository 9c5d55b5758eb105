using System.Runtime.InteropServices;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// The host's channel messages through the guest proxy's relay: a real <see cref="ClientSession"/>
/// and <see cref="CrossDomainChannel"/> on a real event loop, a Wayland client on a socketpair,
/// and a <see cref="FakeHostDriver"/> that writes what the input says into the channel ring. An
/// input is a list of steps, each one byte of kind then its fields:
/// <list type="bullet">
/// <item>0, client requests: a record of bytes, then up to 3 fds (a memfd of some pages, or a pipe's write end);</item>
/// <item>1, a RECEIVE: up to 7 identifiers (id, type, size), then a record of compositor bytes;</item>
/// <item>2, a READ: pipe id, hang-up, a record of pipe data;</item>
/// <item>3, a raw channel-ring image (any command, any sizes).</item>
/// </list>
/// After each step the loop runs until it is idle and the client reads what it was sent. A
/// finding is an exception out of the loop, bytes to the client that are not Wayland messages,
/// or (where the process is the fuzzer's own) an fd still open after the session is gone.
/// </summary>
public sealed class ProxyEventsTarget : FuzzTarget
{
    private const int MaxSteps = 48;
    private const int MaxTurnsPerStep = 16;
    // Made on first use: SharpFuzz's instrumented code may run only once the fuzzer has set up its map.
    private static RelayMetrics? _metrics;

    /// <summary>
    /// Set where nothing else in the process opens fds meanwhile (the fuzzer, its replay command),
    /// so that a count of open fds before and after an input is the session's alone.
    /// </summary>
    public static bool CheckFdLeaks { get; set; }

    public override string Name => "proxy-events";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (!CheckFdLeaks)
        {
            RunSession(input);
            return;
        }
        // The runtime opens fds too: on the first use of some code, and pipes for threads it starts
        // at moments of its own (tiered JIT, the thread pool), about once in two million executions
        // here. A session's leak is one that happens again when the same input runs again.
        string? leaked = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            KernelObjectFds.Snapshot();
            RunSession(input);
            leaked = KernelObjectFds.OpenedSinceSnapshot();
            if (leaked is null) return;
        }
        throw new FuzzFindingException($"fds left open after the session ended, each time it ran: {leaked}");
    }

    private static void RunSession(ReadOnlySpan<byte> input)
    {
        var loop = new EventLoop();
        var (clientEnd, proxyEnd) = UnixSocket.CreatePair();
        var driver = new FakeHostDriver();
        var heldFds = new List<FileDescriptor>();
        var toClient = new List<byte>();
        var receivedFds = new List<FileDescriptor>();
        var receiveBuffer = new byte[64 << 10];
        bool closed = false;
        ClientSession? session = null;
        try
        {
            var channel = CrossDomainChannel.Open(driver);
            session = new ClientSession(1, proxyEnd, channel, loop, new GlobalPolicy(), _metrics ??= new RelayMetrics(), tracer: null,
                NullLogger.Instance, _ => closed = true);
            var reader = new FuzzInput(input);
            for (int step = 0; step < MaxSteps && !reader.IsEmpty && !closed; step++)
            {
                switch (reader.Byte() % 4)
                {
                    case 0: ClientRequests(ref reader, clientEnd, heldFds); break;
                    case 1: driver.QueueChannelMessage(Receive(ref reader)); break;
                    case 2: driver.QueueChannelMessage(Read(ref reader)); break;
                    default: driver.QueueChannelMessage(reader.Record()); break;
                }
                for (int turn = 0; turn < MaxTurnsPerStep && loop.RunOnce(0) > 0; turn++)
                    DrainClient(clientEnd, receiveBuffer, receivedFds, toClient);
                DrainClient(clientEnd, receiveBuffer, receivedFds, toClient);
            }
        }
        finally
        {
            // The session owns the channel, and the channel the driver.
            if (session is not null) session.Dispose();
            else driver.Dispose();
            DrainClient(clientEnd, receiveBuffer, receivedFds, toClient);
            clientEnd.Dispose();
            proxyEnd.Dispose();
            foreach (var fd in heldFds) fd.Dispose();
            loop.Dispose();
        }
        WaylandFraming.Check(CollectionsMarshal.AsSpan(toClient), "events to the client");
    }

    private static void ClientRequests(ref FuzzInput reader, UnixSocket client, List<FileDescriptor> held)
    {
        var bytes = reader.Record();
        int fdCount = reader.Byte() % 4;
        var fds = new FileDescriptor[fdCount];
        for (int i = 0; i < fdCount; i++)
        {
            byte kind = reader.Byte();
            if ((kind & 1) == 0)
                fds[i] = MemFd.Create("crossdomain-fuzz-pool", ((kind >> 1) % 16 + 1) * 4096L);
            else
            {
                var (readEnd, writeEnd) = Pipe.Create();
                held.Add(readEnd);
                fds[i] = writeEnd;
            }
        }
        try
        {
            if (!bytes.IsEmpty) client.Send(bytes, fds);
        }
        finally
        {
            foreach (var fd in fds) fd.Dispose();
        }
    }

    private static byte[] Receive(ref FuzzInput reader)
    {
        int count = reader.Byte() % 8;
        var receive = new CrossDomainSendReceive { IdentifierCount = (uint)count };
        for (int i = 0; i < count; i++)
        {
            receive.Identifiers[i] = reader.UInt32();
            receive.IdentifierTypes[i] = reader.Byte();
            receive.IdentifierSizes[i] = reader.UInt32();
        }
        var data = reader.Record();
        data = data[..Math.Min(data.Length, CrossDomainLimits.MaxSendReceivePayload)];
        receive.OpaqueDataSize = (uint)data.Length;
        receive.Header = CrossDomainCommands.Header(CrossDomainCommand.Receive, CrossDomainSendReceive.Size + data.Length);
        return CrossDomainCommands.Encode(receive, data);
    }

    private static byte[] Read(ref FuzzInput reader)
    {
        var read = new CrossDomainReadWrite { Identifier = reader.UInt32(), HangUp = reader.Byte() & 1u };
        var data = reader.Record();
        data = data[..Math.Min(data.Length, CrossDomainLimits.MaxReadWritePayload)];
        read.OpaqueDataSize = (uint)data.Length;
        read.Header = CrossDomainCommands.Header(CrossDomainCommand.Read, CrossDomainReadWrite.Size + data.Length);
        return CrossDomainCommands.Encode(read, data);
    }

    private static void DrainClient(UnixSocket client, byte[] buffer, List<FileDescriptor> fds, List<byte> stream)
    {
        while (true)
        {
            var result = client.Receive(buffer, fds);
            foreach (var fd in fds) fd.Dispose();
            fds.Clear();
            // libwayland reads at most 28 fds per recvmsg too: more in one message is the proxy's fault.
            if (result.Status == IoStatus.ControlTruncated) throw new FuzzFindingException("the proxy sent more fds at once than a client can receive");
            if (result.Status != IoStatus.Done) return;
            stream.AddRange(buffer.AsSpan(0, result.Bytes));
        }
    }

    public override IEnumerable<(string Name, byte[] Input)> Seeds() => ProxyEventsSeeds.All();
}

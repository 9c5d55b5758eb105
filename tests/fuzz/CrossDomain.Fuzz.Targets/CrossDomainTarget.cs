using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Cross-domain commands into real <c>CrossDomainContext</c>s through the device, with a stand-in
/// compositor on the other end. Every input starts from the state a guest proxy reaches before
/// its first real command (context 1 initialised on its two rings, context 2 with rings but no
/// INIT), so the fuzzer spends its time past INIT; an input is then a list of operations:
/// <list type="table">
/// <item><term>0</term><description>SUBMIT_3D of a record of cross-domain commands, to the context picked by bits 3-4</description></item>
/// <item><term>1</term><description>the same, fenced on the ring in the next byte</description></item>
/// <item><term>2</term><description>a raw control request (a record)</description></item>
/// <item><term>3</term><description>the compositor sends a record, with the fds the next byte's bits pick; then a loop turn</description></item>
/// <item><term>4</term><description>a loop turn, after draining what the contexts sent the compositor</description></item>
/// <item><term>5</term><description>the guest writes a record into its RAM at the next 32-bit offset</description></item>
/// <item><term>6</term><description>a HOST3D blob from the next 32-bit blob id, attached and mapped</description></item>
/// <item><term>7</term><description>CTX_DESTROY of the picked context</description></item>
/// </list>
/// </summary>
public sealed class CrossDomainTarget : FuzzTarget
{
    private const int MaxOperations = 64;
    private static readonly uint[] Contexts = [1, 1, 2, 3];

    public override string Name => "crossdomain";

    public override void Run(ReadOnlySpan<byte> input)
    {
        using var compositor = new StandInCompositor();
        using (var rig = new DeviceRig(compositor.SocketPath))
        {
            var session = new Session(rig, compositor);
            session.SetUp();
            var reader = new FuzzInput(input);
            for (int i = 0; i < MaxOperations && !reader.IsEmpty; i++) session.Step(ref reader);
        }
    }

    private sealed class Session(DeviceRig rig, StandInCompositor compositor)
    {
        private uint _nextResourceId = 1;
        private ulong _nextFenceId;
        private ulong _nextWindowOffset;

        public void SetUp()
        {
            uint query = GuestRing(1, page: 0);
            uint channel = GuestRing(1, page: 1);
            Expect(rig.Send(Requests.Submit(1, CrossDomainCommands.Init(query, channel, ChannelType.Wayland))), "INIT");
            GuestRing(2, page: 2);
            GuestRing(2, page: 3);
        }

        private uint GuestRing(uint contextId, int page)
        {
            if (contextId == 1 && page == 0 || contextId == 2 && page == 2)
                Expect(rig.Send(Requests.CreateContext(contextId, CapsetId.CrossDomain)), "CTX_CREATE");
            uint resourceId = _nextResourceId++;
            Expect(rig.Send(Requests.GuestBlob(resourceId, DeviceRig.GuestPage(page), DeviceRig.PageSize)), "a ring blob");
            Expect(rig.Send(Requests.Attach(contextId, resourceId)), "ATTACH_RESOURCE");
            return resourceId;
        }

        public void Step(ref FuzzInput reader)
        {
            byte op = reader.Byte();
            uint contextId = Contexts[(op >> 3) & 3];
            switch (op & 7)
            {
                case 0:
                    rig.Send(Requests.Submit(contextId, reader.Record()));
                    break;
                case 1:
                    byte ring = reader.Byte();
                    rig.Send(Requests.Fenced(Requests.Submit(contextId, reader.Record()), ++_nextFenceId, ring));
                    break;
                case 2:
                    rig.Send(reader.Record());
                    break;
                case 3:
                    CompositorSends(reader.Byte(), reader.Record());
                    rig.Loop.RunOnce(0);
                    break;
                case 4:
                    compositor.Drain();
                    rig.Loop.RunOnce(0);
                    break;
                case 5:
                    rig.WriteGuestMemory(reader.UInt32(), reader.Record());
                    break;
                case 6:
                    MappedBuffer(contextId, reader.UInt32(), (ulong)(reader.Byte() % 16 + 1) * DeviceRig.PageSize);
                    break;
                default:
                    rig.Send(Requests.DestroyContext(contextId));
                    break;
            }
        }

        private void MappedBuffer(uint contextId, uint blobId, ulong size)
        {
            uint resourceId = _nextResourceId++;
            if (!rig.Send(Requests.HostBlob(contextId, resourceId, blobId, size))) return;
            rig.Send(Requests.Attach(contextId, resourceId));
            rig.Send(Requests.MapBlob(resourceId, _nextWindowOffset));
            _nextWindowOffset = (_nextWindowOffset + size) % DeviceRig.WindowSize;
        }

        /// <summary>Bytes from the compositor with fds of the kinds a compositor passes (and some it does not).</summary>
        private void CompositorSends(byte fdKinds, ReadOnlySpan<byte> data)
        {
            if (compositor.Latest() is not { } connection || data.IsEmpty) return;
            var fds = new List<FileDescriptor>();
            try
            {
                if ((fdKinds & 1) != 0) fds.Add(MemFd.Create("fuzz", 4096));
                if ((fdKinds & 6) != 0)
                {
                    var (readEnd, writeEnd) = Pipe.Create();
                    fds.Add((fdKinds & 2) != 0 ? writeEnd : readEnd);
                    ((fdKinds & 2) != 0 ? readEnd : writeEnd).Dispose();
                }
                if ((fdKinds & 8) != 0)
                {
                    var (first, second) = UnixSocket.CreatePair();
                    second.Dispose();
                    fds.Add(first.Handle);
                }
                if ((fdKinds & 16) != 0) fds.Add(EventFd.Create().Handle);
                connection.Send(data, fds.ToArray());
            }
            finally
            {
                foreach (var fd in fds) fd.Dispose();
            }
        }

        private static void Expect(bool answered, string what)
        {
            if (!answered) throw new InvalidOperationException($"the set-up's {what} was held");
        }
    }

    public override IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        yield return ("send", new FuzzInputWriter().Byte(0).Record(CrossDomainCommands.Send("hello"u8)).ToArray());
        yield return ("poll-and-event", new FuzzInputWriter()
            .Byte(1).Byte((byte)CrossDomainRing.Channel).Record(CrossDomainCommands.Poll())
            .Byte(3).Byte(0).Record("events"u8)
            .ToArray());
        yield return ("event-with-fds", new FuzzInputWriter()
            .Byte(3).Byte(0x1F).Record("fds"u8)
            .Byte(1).Byte((byte)CrossDomainRing.Channel).Record(CrossDomainCommands.Poll())
            .Byte(1).Byte((byte)CrossDomainRing.Channel).Record(CrossDomainCommands.Poll())
            .ToArray());
        yield return ("image-requirements", new FuzzInputWriter()
            .Byte(1).Byte((byte)CrossDomainRing.Query).Record(CrossDomainCommands.GetImageRequirements(64, 32, 0x34325258, ImageUsageFlags.Linear | ImageUsageFlags.Scanout))
            .ToArray());
        yield return ("send-pipe-and-write", new FuzzInputWriter()
            .Byte(0).Record(CrossDomainCommands.Send("p"u8, (0x8000_0001, IdentifierType.ReadPipe)))
            .Byte(0).Record(CrossDomainCommands.Write(0x8000_0001, "data"u8, hangUp: true))
            .Byte(4)
            .ToArray());
        yield return ("host-blob-send", new FuzzInputWriter()
            .Byte(1).Byte((byte)CrossDomainRing.Query).Record(CrossDomainCommands.GetImageRequirements(16, 16, 0x34325241, ImageUsageFlags.Linear))
            .Byte(6).UInt32(1).Byte(0)
            .Byte(0).Record(CrossDomainCommands.Send("buffer"u8, (5, IdentifierType.VirtgpuBlob)))
            .ToArray());
        yield return ("uninitialised-and-destroy", new FuzzInputWriter()
            .Byte(0x10).Record(CrossDomainCommands.Send("early"u8))
            .Byte(0x10).Record(CrossDomainCommands.Init(3, 4, ChannelType.Wayland))
            .Byte(7)
            .Byte(0).Record(CrossDomainCommands.Send("late"u8))
            .ToArray());
    }
}

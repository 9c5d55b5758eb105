using System.Buffers.Binary;
using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using Xunit.Abstractions;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// The guest is untrusted: 10,000 random and mutated cross-domain commands (bad sizes, ids,
/// counts, types, rings) get answers, the device keeps serving, and no fd is left behind.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class CrossDomainFuzzTests(ITestOutputHelper output)
{
    private const int CommandCount = 10_000;
    private const uint FuzzedContextId = 1;
    private const uint UninitializedContextId = 2;
    private const uint MissingContextId = 3;

    [Fact]
    public void Ten_thousand_random_and_mutated_commands_are_answered_and_leave_no_fd_behind()
    {
        CrossDomainWarmUp.Run();
        var before = FdAccounting.Snapshot();
        var outcomes = new Dictionary<string, int>();
        var held = new List<RecordingReply>();
        using (var compositor = new StandInCompositor())
        using (var device = new CrossDomainDevice(compositor.SocketPath))
        {
            var random = new Random(0x5EED);
            var guest = device.CreateGuest(FuzzedContextId).CreateRings().Init();
            compositor.AcceptConnection();
            var uninitialized = device.CreateGuest(UninitializedContextId).CreateRings();
            var fuzzer = new CommandFuzzer(random, guest, uninitialized);

            for (int i = 0; i < CommandCount; i++)
            {
                var request = fuzzer.NextRequest(device.NextFenceId());
                var reply = device.Harness.Send(request);
                if (!reply.IsCompleted)
                {
                    // Only a POLL fence may wait: on the channel ring, for an event that may never come.
                    var header = MemoryMarshal.Read<ControlHeader>(request);
                    Assert.True((header.Flags & ControlHeaderFlags.InfoRingIndex) != 0 && header.RingIndex == 1,
                        $"a {header.Type} on ring {header.RingIndex} was not answered");
                    held.Add(reply);
                }
                string outcome = !reply.IsCompleted ? "held (poll fence)" : reply.Type.ToString();
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                if (i % 16 == 0) StirTheCompositor(random, compositor, device);
            }

            // The device keeps serving: a new context on the same device works end to end.
            var fresh = device.CreateGuest(10).CreateRings().Init();
            compositor.Drain();
            compositor.AcceptConnection();
            fresh.SubmitOk(CrossDomainCommands.Send("still alive"u8));
            Assert.Equal("still alive"u8.ToArray(), compositor.ReceiveFromGuest(11).Data);
            compositor.SendToGuest("so am I"u8);
            Assert.Equal("so am I"u8.ToArray(), fresh.PollForMessage().Data);
        }
        FdAccounting.AssertNoneOpenedSince(before);
        // Destroying the device answered every poll that was still waiting.
        Assert.All(held, reply => Assert.True(reply.IsCompleted));

        foreach (var (outcome, count) in outcomes.OrderByDescending(pair => pair.Value)) output.WriteLine($"{outcome}: {count}");
        int errors = outcomes.Where(pair => pair.Key.StartsWith("Error", StringComparison.Ordinal)).Sum(pair => pair.Value);
        Assert.True(errors > CommandCount / 2, $"only {errors} of {CommandCount} commands were refused");
        Assert.True(outcomes.GetValueOrDefault(nameof(CommandType.OkNoData)) > 100, "almost nothing was accepted: the mutations are too blunt");
    }

    /// <summary>
    /// The stand-in compositor drains what it was sent (closing the fds) and now and then sends
    /// bytes with fds of every kind, so waiting polls get events and the fd classifier runs.
    /// </summary>
    private static void StirTheCompositor(Random random, StandInCompositor compositor, CrossDomainDevice device)
    {
        compositor.Drain();
        if (random.Next(4) == 0)
        {
            var fds = new List<FileDescriptor>();
            for (int i = random.Next(4); i > 0; i--)
            {
                switch (random.Next(4))
                {
                    case 0:
                        fds.Add(TestFds.MemfdWith(new byte[random.Next(1, 9000)]));
                        break;
                    case 1:
                        var (readEnd, writeEnd) = Pipe.Create();
                        readEnd.Dispose();
                        fds.Add(writeEnd);
                        break;
                    case 2:
                        var (first, second) = UnixSocket.CreatePair();
                        second.Dispose();
                        fds.Add(first.Handle);
                        break;
                    default:
                        fds.Add(EventFd.Create().Handle);
                        break;
                }
            }
            var data = new byte[random.Next(1, 6000)];
            random.NextBytes(data);
            if (compositor.Connection.Send(data, fds.ToArray()).Status == IoStatus.Failed) Assert.Fail("the host closed the compositor connection");
            foreach (var fd in fds) fd.Dispose();
        }
        device.Harness.Loop.RunOnce(0);
    }

    /// <summary>Makes control requests: valid cross-domain commands, mutated, mixed with blob and attach requests.</summary>
    private sealed class CommandFuzzer(Random random, CrossDomainGuest guest, CrossDomainGuest uninitialized)
    {
        private readonly uint[] _interestingIds =
            [0, 1, 2, 3, 4, 5, guest.QueryRingId, guest.ChannelRingId, uninitialized.QueryRingId, 0x8000_0000, 0x8000_0001, 0x8000_0002,
             0x4000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF];

        public byte[] NextRequest(ulong fenceId)
        {
            byte[] request = random.Next(20) switch
            {
                0 => GpuRequests.CreateBlob(RandomId(), BlobMemory.Host3D, BlobFlags.UseMappable,
                    (ulong)random.Next(0, 300) * 4096, RandomContext(), RandomId()),
                1 => GpuRequests.AttachResource(RandomContext(), RandomId()),
                2 => GpuRequests.Unref(RandomId()),
                _ => GpuRequests.Submit(RandomContext(), RandomCommands()),
            };
            if (random.Next(5) == 0)
            {
                byte ring = random.Next(10) switch { < 5 => 0, < 8 => 1, _ => (byte)random.Next(2, 256) };
                request = GpuRequests.Fenced(request, fenceId, ring);
            }
            return request;
        }

        private uint RandomContext() => random.Next(10) switch
        {
            < 7 => FuzzedContextId,
            < 9 => UninitializedContextId,
            _ => MissingContextId,
        };

        private uint RandomId() => random.Next(3) == 0 ? (uint)random.Next() : _interestingIds[random.Next(_interestingIds.Length)];

        private byte[] RandomCommands()
        {
            int count = random.Next(10) == 0 ? random.Next(2, 4) : 1;
            var commands = new List<byte>();
            for (int i = 0; i < count; i++) commands.AddRange(Mutate(ValidCommand()));
            return commands.ToArray();
        }

        private byte[] ValidCommand() => random.Next(7) switch
        {
            0 => random.Next(4) switch
            {
                0 => CrossDomainCommands.InitLegacy(RandomId(), (ChannelType)random.Next(3)),
                _ => CrossDomainCommands.Init(RandomId(), RandomId(), (ChannelType)random.Next(3),
                    new[] { CrossDomainInit.V1Size, CrossDomainInit.LibkrunSize, CrossDomainInit.InternalSocketSize }[random.Next(3)]),
            },
            1 => CrossDomainCommands.GetImageRequirements((uint)random.Next(0, 2000), (uint)random.Next(0, 2000),
                new uint[] { 0x34325241, 0x34325258, 0x36314752, 0x20203852, 0x3231564E, (uint)random.Next() }[random.Next(6)],
                (ImageUsageFlags)random.Next(0, 0x4000)),
            2 => CrossDomainCommands.Poll(),
            3 or 4 => RandomSend(),
            5 => CrossDomainCommands.Write(RandomId(), RandomBytes(random.Next(0, 200)), random.Next(2) == 0),
            _ => RandomBytes(random.Next(0, 400)),
        };

        private byte[] RandomSend()
        {
            var identifiers = new (uint, IdentifierType)[random.Next(0, 4)];
            for (int i = 0; i < identifiers.Length; i++)
                identifiers[i] = (RandomId(), (IdentifierType)random.Next(0, 9));
            return CrossDomainCommands.Send(RandomBytes(random.Next(0, 300)), identifiers);
        }

        private byte[] Mutate(byte[] command)
        {
            switch (random.Next(8))
            {
                case 0:
                case 1:
                    return command;
                case 2:
                    for (int flips = random.Next(1, 5); flips > 0 && command.Length > 0; flips--)
                        command[random.Next(command.Length)] = (byte)random.Next(256);
                    return command;
                case 3:
                    if (command.Length >= 4) BinaryPrimitives.WriteUInt16LittleEndian(command.AsSpan(2), (ushort)random.Next(0, 0x10000));
                    return command;
                case 4:
                    return command[..random.Next(0, command.Length + 1)];
                case 5:
                    // A count or size field after the header: identifiers, opaque data, ring ids.
                    if (command.Length >= 16) BinaryPrimitives.WriteUInt32LittleEndian(command.AsSpan(8 + 4 * random.Next(2)), RandomId());
                    return command;
                case 6:
                    if (command.Length >= CrossDomainSendReceive.Size)
                        BinaryPrimitives.WriteUInt32LittleEndian(command.AsSpan(16 + 4 * random.Next(84)), (uint)random.Next(0, 10));
                    return command;
                default:
                    return [.. command, .. RandomBytes(random.Next(1, 64))];
            }
        }

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}

using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Interop;
using CrossDomain.Tests.CrossDomain;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Fuzz.Targets;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.Firewall;

/// <summary>
/// The firewall's bound on one clipboard transfer, through a real context and real pipes, the
/// stand-in compositor playing the host client at the other end.
/// </summary>
public sealed class FirewallTransferTests : IDisposable
{
    private const int Limit = 1 << 20;
    private const uint FirstReadPipeId = 0x8000_0001;

    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public FirewallTransferTests()
    {
        _device = new CrossDomainDevice(_compositor.SocketPath, firewall: new WaylandFirewallOptions { MaxTransferMib = 1 });
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }

    [Fact]
    public void A_guest_may_write_the_limit_into_a_transfer_and_the_byte_past_it_ends_its_context()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            // As wl_data_source.send would come: a whole event, with the pipe's write end.
            using (writeEnd) _compositor.SendToGuest(Message(0xff00_0001), writeEnd);
            uint pipeId = Assert.Single(_guest.PollForMessage().Identifiers).Id;

            var chunk = new byte[CrossDomainLimits.MaxReadWritePayload];
            var buffer = new byte[65536];
            long received = 0;
            for (int written = 0; written < Limit; written += chunk.Length)
            {
                _guest.SubmitOk(CrossDomainCommands.Write(pipeId, chunk.AsSpan(0, Math.Min(chunk.Length, Limit - written)), hangUp: false));
                // Read as the pasting client would, so that nothing waits in the host's queue.
                while (Pipe.Read(readEnd, buffer) is { Status: IoStatus.Done } result) received += result.Bytes;
            }
            Assert.Equal(Limit, received);

            int warningsBefore = Warnings().Count;
            _guest.SubmitFails(CrossDomainCommands.Write(pipeId, chunk.AsSpan(0, 1), hangUp: false), GpuError.InvalidParameter);
            string warning = Assert.Single(Warnings().Skip(warningsBefore));
            Assert.Contains("VM guest", warning);
            Assert.Contains("TransferTooLarge", warning);
            Assert.Contains($"a WRITE of 1 bytes into a transfer that carried {Limit}, past {Limit} bytes", warning);
            // The transfer and the context's connection are gone.
            Assert.Equal(IoStatus.EndOfStream, Pipe.Read(readEnd, buffer).Status);
            var hangUp = _guest.PollForMessage();
            Assert.Equal(CrossDomainCommand.Receive, hangUp.Command);
            Assert.Empty(hangUp.Data);
        }
    }

    [Fact]
    public void A_transfer_to_the_guest_ends_at_the_limit_and_its_context_goes_on()
    {
        // As wl_data_offer.receive would go: a whole request, with a read pipe.
        _guest.SubmitOk(CrossDomainCommands.Send(Message(50), (FirstReadPipeId, IdentifierType.ReadPipe)));
        var (_, fds) = _compositor.ReceiveFromGuest(8);
        var sourceEnd = Assert.Single(fds);
        // The host's source offers more than the limit; it sees its pipe close.
        var source = new Thread(() =>
        {
            using (sourceEnd)
            {
                var block = new byte[4096];
                for (long sent = 0; sent < Limit + block.Length;)
                {
                    var result = Pipe.Write(sourceEnd, block);
                    if (result.Status != IoStatus.Done) return;
                    sent += result.Bytes;
                }
            }
        });
        source.Start();

        int warningsBefore = Warnings().Count;
        long received = 0;
        while (true)
        {
            var message = _guest.PollForMessage();
            Assert.Equal(CrossDomainCommand.Read, message.Command);
            received += message.Data.Length;
            if (message.HangUp) break;
        }
        // The read that would have crossed the limit is dropped whole: the guest gets no part of it.
        Assert.InRange(received, Limit - CrossDomainLimits.MaxReadWritePayload, Limit);
        Assert.Contains("TransferTooLarge", Assert.Single(Warnings().Skip(warningsBefore)));
        Assert.True(source.Join(TimeSpan.FromSeconds(20)), "the source never saw its pipe close");

        // The context still relays.
        _compositor.SendToGuest(Message(0xff00_0002));
        var next = _guest.PollForMessage();
        Assert.Equal(CrossDomainCommand.Receive, next.Command);
        Assert.Equal(Message(0xff00_0002), next.Data);
    }

    /// <summary>An 8-byte message (header only) to an object the firewall does not track: it passes unread.</summary>
    private static byte[] Message(uint objectId)
    {
        var bytes = new byte[8];
        BitConverter.TryWriteBytes(bytes, objectId);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 8u << 16 | 1);
        return bytes;
    }

    private List<string> Warnings()
    {
        lock (_device.Logger.Entries)
            return _device.Logger.Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message).ToList();
    }
}

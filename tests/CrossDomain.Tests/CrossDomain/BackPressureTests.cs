using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A guest that writes faster than the compositor reads, over the real vhost-user queue: the host
/// stops taking its SENDs while the compositor's backlog is full, so the guest is slowed to the
/// compositor's pace, and every byte arrives, in order.
/// </summary>
public sealed class BackPressureTests
{
    private const int Chunks = 2048; // 8 MiB of 4 KiB SENDs: eight times the default backlog budget

    [Fact]
    public void A_guest_writing_faster_than_the_compositor_reads_waits_and_loses_nothing()
    {
        using var compositor = new StandInCompositor();
        // Bytes that are not Wayland: the firewall is not what this is about.
        using var guest = new SocketCrossDomainGuest(compositor.SocketPath, new WaylandFirewallOptions { Enabled = false });
        compositor.AcceptConnection();

        var chunk = new byte[CrossDomainLimits.MaxSendReceivePayload];
        Exception? failure = null;
        var sender = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < Chunks; i++)
                {
                    chunk.AsSpan().Fill((byte)i);
                    guest.Send(chunk, []);
                }
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        });
        sender.Start();

        // The compositor reads nothing for a while: the guest is held up, not refused.
        Assert.False(sender.Join(TimeSpan.FromSeconds(2)), $"the guest sent everything to a compositor that read nothing ({failure?.Message})");

        long received = 0;
        var buffer = new byte[65536];
        var fds = new List<FileDescriptor>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received < (long)Chunks * chunk.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {received} bytes arrived");
            var result = compositor.Connection.Receive(buffer, fds);
            if (result.Status == IoStatus.WouldBlock)
            {
                Thread.Sleep(1);
                continue;
            }
            Assert.Equal(IoStatus.Done, result.Status);
            for (int i = 0; i < result.Bytes; i++)
            {
                long offset = received + i;
                Assert.True(buffer[i] == (byte)(offset / chunk.Length), $"byte {offset} is from the wrong SEND");
            }
            received += result.Bytes;
        }
        Assert.True(sender.Join(TimeSpan.FromSeconds(20)), "the guest did not finish once the compositor read");
        Assert.Null(failure);
        Assert.Equal((long)Chunks * chunk.Length, received);
        Assert.Empty(fds);
    }
}

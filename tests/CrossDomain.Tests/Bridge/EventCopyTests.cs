using System.Diagnostics;
using CrossDomain.Tests.Metrics;
using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// How many times the proxy copies the compositor's bytes on their way to a client, as its
/// metrics count them (<c>crossdomain.proxy.events.bytes_copied</c> over
/// <c>crossdomain.proxy.events.bytes_received</c>): out of the channel ring into the stream that
/// frames them, then into the client's output queue, so about twice per byte (less where events
/// are withheld), and never more than three times. Real weston and real Debian clients:
/// wayland-info (globals, formats, outputs, the seat, in bursts) and weston-simple-shm drawing
/// (a frame callback and buffer releases per frame).
/// </summary>
public sealed class EventCopyTests(ITestOutputHelper output)
{
    private const string Copied = "crossdomain.proxy.events.bytes_copied";
    private const string Received = "crossdomain.proxy.events.bytes_received";
    private const string Relayed = "crossdomain.proxy.bytes";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_compositors_bytes_are_copied_at_most_three_times_on_their_way_to_the_client()
    {
        using var weston = HeadlessWeston.Start(width: 640, height: 480);
        using var bridge = BridgedProxy.Start(weston);
        using var metrics = new MeterRecorder(bridge.Server.Metrics.Meter);
        using var shmCopied = new CopiedBytesListener(bridge.Server.Metrics.Meter);

        Assert.NotEmpty(WaylandInfo.ListGlobals(bridge.ApplyTo));
        bridge.WaitForClientCount(0, Timeout);
        AssertAtMostThreeCopiesPerByte(metrics, client: 1, "wayland-info");

        var start = new ProcessStartInfo("weston-simple-shm") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        bridge.ApplyTo(start);
        using var drawing = Process.Start(start)!;
        try
        {
            // Drawing for a while: many frames' worth of callbacks and releases, not just the set-up.
            var deadline = DateTime.UtcNow + Timeout;
            while (shmCopied.PerClient.GetValueOrDefault(2) < 20L * 250 * 250 * 4)
            {
                Assert.True(DateTime.UtcNow < deadline, "weston-simple-shm did not draw 20 frames");
                Assert.False(drawing.HasExited, "weston-simple-shm exited");
                Thread.Sleep(100);
            }
        }
        finally
        {
            drawing.Kill();
            drawing.WaitForExit();
        }
        bridge.WaitForClientCount(0, Timeout);
        AssertAtMostThreeCopiesPerByte(metrics, client: 2, "weston-simple-shm");
    }

    private void AssertAtMostThreeCopiesPerByte(MeterRecorder metrics, int client, string name)
    {
        double received = metrics.Sum(Received, ("client", client));
        double copied = metrics.Sum(Copied, ("client", client));
        double relayed = metrics.Sum(Relayed, ("client", client), ("direction", "to_client"));
        output.WriteLine($"{name}: {received} bytes from the compositor, {relayed} to the client, {copied} copied: {copied / received:F3} copies per byte");
        Assert.True(relayed > 0, $"{name} was sent no events");
        // Every byte comes out of the ring once and every byte sent is written into the output
        // once: fewer counted means a copy goes uncounted.
        Assert.InRange(copied, received + relayed, 3 * received);
    }
}

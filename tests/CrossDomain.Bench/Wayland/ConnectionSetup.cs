using System.Diagnostics;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// From connect() to the first frame presented: registry, binds, a 1080p shm window with its
/// configure handshake, the first full-damage commit, and wp_presentation_feedback.presented for
/// it (the compositor's word that the frame reached the output, which includes waiting for the
/// headless output's next repaint, the same on every path).
/// </summary>
internal static class ConnectionSetup
{
    public static double MedianMilliseconds(IWaylandPath path, int repeats)
    {
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++) times[i] = OnceMilliseconds(path);
        Array.Sort(times);
        return times[repeats / 2];
    }

    private static double OnceMilliseconds(IWaylandPath path)
    {
        // Before the clock: starting a relay (waypipe's per-client server) is not the client's setup.
        string socketPath = path.SocketForNextClient();
        var elapsed = Stopwatch.StartNew();
        using var client = BenchWaylandClient.Connect(socketPath);
        client.LoadGlobals();
        uint presentation = client.Bind(WpPresentation.Interface, 1);
        using var window = new ShmWindow(client, WindowSize.FullHd, pixels => pixels.Fill(0xFF336699));
        uint feedback = client.NewId(WpPresentationFeedback.Interface);
        window.Commit(0, new DamageBox(0, 0, WindowSize.FullHd.Width, WindowSize.FullHd.Height), beforeCommit: () =>
        {
            var writer = client.Writer();
            writer.Begin(presentation, WpPresentation.Requests.Feedback);
            writer.WriteObject(window.Surface);
            writer.WriteNewId(feedback);
            writer.End();
            client.Enqueue(writer.Written);
        });
        bool presented = false;
        client.WaitFor((objectId, _, opcode, _) =>
        {
            if (objectId != feedback) return false;
            presented = opcode == WpPresentationFeedback.Events.Presented;
            return opcode is WpPresentationFeedback.Events.Presented or WpPresentationFeedback.Events.Discarded;
        });
        elapsed.Stop();
        if (!presented) throw new InvalidOperationException($"{path.Name}: the first frame was discarded, not presented");
        return elapsed.Elapsed.TotalMilliseconds;
    }
}

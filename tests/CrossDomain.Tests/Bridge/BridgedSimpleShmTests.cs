using System.Diagnostics;
using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// Debian's weston-simple-shm, run directly on weston and then through the bridge: both times the
/// headless output shows its animated pattern in a window of the same size.
/// </summary>
public sealed class BridgedSimpleShmTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Weston_simple_shm_through_the_bridge_animates_its_window_as_it_does_directly()
    {
        using var weston = HeadlessWeston.Start(width: 640, height: 480, debug: true);
        WaitUntilSettled(weston);

        var direct = ObserveAnimatedWindow(weston, weston.ApplyTo);
        using var bridge = BridgedProxy.Start(weston);
        var bridged = ObserveAnimatedWindow(weston, bridge.ApplyTo);

        output.WriteLine($"direct: {direct}; through the bridge: {bridged}");
        Assert.Equal((direct.Width, direct.Height), (bridged.Width, bridged.Height));
        Assert.Equal(210, bridged.Width);
        Assert.True(bridged.DistinctColours >= direct.DistinctColours / 2, $"the bridged window has {bridged.DistinctColours} colours, the direct one {direct.DistinctColours}");
    }

    /// <summary>The output once weston's start-up fade is over: two shots in a row alike.</summary>
    private static void WaitUntilSettled(HeadlessWeston weston)
    {
        var deadline = DateTime.UtcNow + Timeout;
        var previous = WestonOutputCapture.Capture(weston);
        while (true)
        {
            Thread.Sleep(200);
            var shot = WestonOutputCapture.Capture(weston);
            if (Differences(previous, shot) == 0) return;
            Assert.True(DateTime.UtcNow < deadline, "weston's output never settled");
            previous = shot;
        }
    }

    private static int Differences(Screenshot first, Screenshot second)
    {
        int count = 0;
        for (int y = 0; y < first.Height; y++)
            for (int x = 0; x < first.Width; x++)
                if (first[x, y] != second[x, y]) count++;
        return count;
    }

    /// <summary>What a run of the client shows: the area that keeps changing (its pattern inside a 20-pixel border) and its colours.</summary>
    private readonly record struct AnimatedWindow(int X, int Y, int Width, int Height, int DistinctColours);

    private static AnimatedWindow ObserveAnimatedWindow(HeadlessWeston weston, Action<ProcessStartInfo> display)
    {
        var start = new ProcessStartInfo("weston-simple-shm") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        display(start);
        using var client = Process.Start(start)!;
        try
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                if (client.HasExited) Assert.Fail($"weston-simple-shm exited with {client.ExitCode}: {client.StandardError.ReadToEnd()}");
                // Three shots: the window changes between each pair; a panel clock ticking over changes one pair only.
                var first = WestonOutputCapture.Capture(weston);
                Thread.Sleep(150);
                var second = WestonOutputCapture.Capture(weston);
                Thread.Sleep(150);
                var third = WestonOutputCapture.Capture(weston);
                if (TryFindAnimatedWindow(first, second, third, out var window) && window.Width > 100 && window.Width < first.Width) return window;
                Assert.True(DateTime.UtcNow < deadline, "weston-simple-shm's window never appeared animated on the output");
            }
        }
        finally
        {
            client.Kill();
            client.WaitForExit();
        }
    }

    private static bool TryFindAnimatedWindow(Screenshot first, Screenshot second, Screenshot third, out AnimatedWindow window)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < first.Height; y++)
            for (int x = 0; x < first.Width; x++)
            {
                if (first[x, y] == second[x, y] || second[x, y] == third[x, y]) continue;
                left = Math.Min(left, x);
                top = Math.Min(top, y);
                right = Math.Max(right, x);
                bottom = Math.Max(bottom, y);
            }
        window = default;
        if (right < 0) return false;
        var colours = new HashSet<uint>();
        for (int y = top; y <= bottom; y++)
            for (int x = left; x <= right; x++)
                colours.Add(third[x, y]);
        window = new AnimatedWindow(left, top, right - left + 1, bottom - top + 1, colours.Count);
        return true;
    }
}

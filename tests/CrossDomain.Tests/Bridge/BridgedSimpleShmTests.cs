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
        AnimatedWindow.WaitUntilSettled(weston, Timeout);

        var direct = ObserveAnimatedWindow(weston, weston.ApplyTo);
        using var bridge = BridgedProxy.Start(weston);
        var bridged = ObserveAnimatedWindow(weston, bridge.ApplyTo);

        output.WriteLine($"direct: {direct}; through the bridge: {bridged}");
        Assert.Equal((direct.Width, direct.Height), (bridged.Width, bridged.Height));
        Assert.Equal(210, bridged.Width);
        Assert.True(bridged.DistinctColours >= direct.DistinctColours / 2, $"the bridged window has {bridged.DistinctColours} colours, the direct one {direct.DistinctColours}");
    }

    /// <summary>weston-simple-shm's window, with the client run where <paramref name="display"/> points it.</summary>
    public static AnimatedWindow ObserveAnimatedWindow(HeadlessWeston weston, Action<ProcessStartInfo> display)
    {
        var start = new ProcessStartInfo("weston-simple-shm") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        display(start);
        using var client = Process.Start(start)!;
        try
        {
            return AnimatedWindow.WaitFor(weston, Timeout, () =>
            {
                if (client.HasExited) Assert.Fail($"weston-simple-shm exited with {client.ExitCode}: {client.StandardError.ReadToEnd()}");
            }, "weston-simple-shm");
        }
        finally
        {
            client.Kill();
            client.WaitForExit();
        }
    }
}

using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// A GTK4 app (Debian's GTK 4 through PyGObject, tests/clients/gtk4-swatch.py) through the bridge in
/// local mode, against the same app run directly: with host-visible memory, and without it (guest
/// copies of the shadows, transferred damage by damage).
/// </summary>
public sealed class BridgedGtk4Tests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_gtk4_window_through_the_bridge_has_the_pixels_it_has_directly(bool hostVisibleMemory)
    {
        using var weston = HeadlessWeston.Start(width: 640, height: 480, debug: true);
        AnimatedWindow.WaitUntilSettled(weston, TimeSpan.FromSeconds(30));
        var direct = SwatchWindow.Observe(weston, weston.ApplyTo, Timeout);
        using var bridge = BridgedProxy.Start(weston, hostVisibleMemory: hostVisibleMemory);
        var bridged = SwatchWindow.Observe(weston, bridge.ApplyTo, Timeout);

        output.WriteLine($"direct at ({direct.X}, {direct.Y}), through the bridge at ({bridged.X}, {bridged.Y})");
        Assert.Equal(0, direct.DifferingPixels(bridged));
    }
}

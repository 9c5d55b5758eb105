using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;

namespace CrossDomain.Tests.Wayland;

/// <summary>Our codec as a client of a real weston, checked against libwayland's view (wayland-info).</summary>
public sealed class RealCompositorTests
{
    [Fact]
    public void Our_client_lists_the_same_globals_as_wayland_info()
    {
        using var weston = HeadlessWeston.Start();
        var expected = WaylandInfo.ListGlobals(weston);
        Assert.Contains(expected, g => g.Interface == "wl_compositor");

        using var client = SocketWaylandClient.Connect(weston.SocketPath);
        var globals = client.GetGlobals();

        Assert.Equal(expected.OrderBy(g => g.Name), globals.OrderBy(g => g.Name));
    }

    [Fact]
    public void Sync_round_trips_repeat_on_one_connection()
    {
        using var weston = HeadlessWeston.Start();
        using var client = SocketWaylandClient.Connect(weston.SocketPath);
        for (int i = 0; i < 100; i++) client.Roundtrip();
        Assert.Equal(100, client.CompletedRoundtrips);
    }
}

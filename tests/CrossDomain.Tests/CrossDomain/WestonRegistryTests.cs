using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>A real headless weston reached only through a cross-domain context.</summary>
public sealed class WestonRegistryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(GuestTransport.InProcess)]
    [InlineData(GuestTransport.Socket)]
    public void The_globals_seen_through_the_bridge_are_the_ones_wayland_info_lists(GuestTransport transport)
    {
        using var weston = HeadlessWeston.Start();
        var expected = WaylandInfo.ListGlobals(weston);
        Assert.Contains(expected, global => global.Interface == "wl_compositor");

        var guest = CrossDomainGuests.Open(transport, weston.SocketPath, out var owner);
        using var _ = owner;
        var client = new BridgedWaylandClient(guest);
        var globals = client.GetGlobals();

        Assert.Equal(expected.OrderBy(global => global.Name), globals.OrderBy(global => global.Name));
        output.WriteLine($"{globals.Count} globals in RECEIVEs of {string.Join(", ", client.ReceiveSizes)} bytes");
    }
}

using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>A real headless weston reached only through a cross-domain context.</summary>
public sealed class WestonRegistryTests(ITestOutputHelper output)
{
    [Fact]
    public void The_globals_seen_through_the_bridge_are_the_ones_wayland_info_lists()
    {
        using var weston = HeadlessWeston.Start();
        var expected = WaylandInfo.ListGlobals(weston);
        Assert.Contains(expected, global => global.Interface == "wl_compositor");

        using var device = new CrossDomainDevice(weston.SocketPath);
        var client = new BridgedWaylandClient(device.CreateGuest(1).CreateRings().Init());
        var globals = client.GetGlobals();

        Assert.Equal(expected.OrderBy(global => global.Name), globals.OrderBy(global => global.Name));
        output.WriteLine($"{globals.Count} globals in RECEIVEs of {string.Join(", ", client.ReceiveSizes)} bytes");
    }
}

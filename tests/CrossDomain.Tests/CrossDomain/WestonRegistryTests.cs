using CrossDomain.Tests.Support;
using CrossDomain.Wayland.Policy;
using Xunit.Abstractions;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>A real headless weston reached only through a cross-domain context.</summary>
public sealed class WestonRegistryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(GuestTransport.InProcess)]
    [InlineData(GuestTransport.Socket)]
    public void The_globals_seen_through_the_bridge_are_the_allowed_ones_wayland_info_lists_at_capped_versions(GuestTransport transport)
    {
        using var weston = HeadlessWeston.Start();
        var direct = WaylandInfo.ListGlobals(weston);
        Assert.Contains(direct, global => global.Interface == "wl_compositor");
        // The host's firewall hides what the allowlist does not carry and caps the rest.
        var expected = direct
            .Where(global => DefaultGlobals.AllowList.ContainsKey(global.Interface))
            .Select(global => global with { Version = Math.Min(global.Version, DefaultGlobals.AllowList[global.Interface]) })
            .ToList();
        Assert.Contains(direct, global => !DefaultGlobals.AllowList.ContainsKey(global.Interface));

        var guest = CrossDomainGuests.Open(transport, weston.SocketPath, out var owner);
        using var _ = owner;
        var client = new BridgedWaylandClient(guest);
        var globals = client.GetGlobals();

        Assert.Equal(expected.OrderBy(global => global.Name), globals.OrderBy(global => global.Name));
        output.WriteLine($"{globals.Count} globals in RECEIVEs of {string.Join(", ", client.ReceiveSizes)} bytes");
    }
}

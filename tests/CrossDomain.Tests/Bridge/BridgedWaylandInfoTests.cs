using CrossDomain.GuestProxy.Relay;
using CrossDomain.Tests.Support;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>Debian's wayland-info through the whole bridge: it sees the compositor's globals as the policy filters and caps them.</summary>
public sealed class BridgedWaylandInfoTests(ITestOutputHelper output)
{
    [Fact]
    public void Wayland_info_through_the_bridge_lists_the_allowed_globals_at_their_capped_versions()
    {
        using var weston = HeadlessWeston.Start();
        var direct = WaylandInfo.ListGlobals(weston);
        using var bridge = BridgedProxy.Start(weston);
        var bridged = WaylandInfo.ListGlobals(bridge.ApplyTo);

        var policy = new GlobalPolicy();
        var expected = direct
            .Where(global => policy.TryAdvertise(global.Interface, global.Version, out _))
            .Select(global => (global.Name, global.Interface, Version: Math.Min(global.Version, policy.Caps[global.Interface])))
            .OrderBy(global => global.Name).ToList();
        var actual = bridged.Select(global => (global.Name, global.Interface, global.Version)).OrderBy(global => global.Name).ToList();
        output.WriteLine($"direct: {direct.Count} globals; through the bridge: {string.Join(", ", actual.Select(g => $"{g.Interface} v{g.Version}"))}");
        Assert.Equal(expected, actual);
        Assert.Contains(actual, global => global.Interface == "wl_compositor");
        // The compositor's private and unbridgeable globals stay on the host.
        Assert.Contains(direct, global => !policy.Caps.ContainsKey(global.Interface));
    }

    [Fact]
    public void A_configured_allowlist_is_all_a_client_sees()
    {
        using var weston = HeadlessWeston.Start();
        Assert.True(GlobalPolicy.TryParse("wl_compositor:1, wl_shm:1,xdg_wm_base:2", out var allowList, out string? problem), problem);
        using var bridge = BridgedProxy.Start(weston, new GlobalPolicy(allowList));

        var bridged = WaylandInfo.ListGlobals(bridge.ApplyTo).Select(global => (global.Interface, global.Version)).OrderBy(global => global.Interface);

        Assert.Equal([("wl_compositor", 1u), ("wl_shm", 1u), ("xdg_wm_base", 2u)], bridged);
    }
}

using CrossDomain.GuestProxy.Relay;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Tests.Proxy;

public sealed class GlobalPolicyTests
{
    private readonly GlobalPolicy _policy = new();

    [Fact]
    public void Allowed_globals_are_offered_at_the_lower_of_the_compositor_version_and_the_cap()
    {
        Assert.True(_policy.TryAdvertise("wl_compositor", 4, out uint older));
        Assert.Equal(4u, older);
        Assert.True(_policy.TryAdvertise("wl_seat", 9, out uint newer));
        Assert.Equal(7u, newer);
    }

    [Theory]
    [InlineData("zwp_linux_dmabuf_v1")]
    [InlineData("zwp_linux_explicit_synchronization_v1")]
    [InlineData("weston_screenshooter")]
    [InlineData("made_up_interface")]
    public void Globals_the_bridge_cannot_carry_are_hidden(string name)
    {
        Assert.False(_policy.TryAdvertise(name, 1, out _));
        Assert.False(_policy.AllowsBind(name, 1, 1));
    }

    [Fact]
    public void A_cap_never_exceeds_what_the_protocol_model_knows()
    {
        var policy = new GlobalPolicy(new Dictionary<string, uint> { ["xdg_wm_base"] = 99, ["no_such_interface"] = 3 });
        Assert.Equal((uint)XdgWmBase.Version, policy.Caps["xdg_wm_base"]);
        Assert.False(policy.Caps.ContainsKey("no_such_interface"));
    }

    [Theory]
    [InlineData(0u, false)]
    [InlineData(1u, true)]
    [InlineData(4u, true)]
    [InlineData(5u, false)]
    public void A_bind_must_stay_within_the_offered_version(uint requested, bool allowed)
    {
        Assert.Equal(allowed, _policy.AllowsBind("wl_compositor", requested, offeredVersion: 4));
    }

    [Fact]
    public void Every_default_entry_is_an_interface_the_proxy_knows()
    {
        Assert.All(GlobalPolicy.DefaultAllowList.Keys, name => Assert.NotNull(WaylandProtocols.Find(name)));
        Assert.Equal(GlobalPolicy.DefaultAllowList.Count, _policy.Caps.Count);
    }
}

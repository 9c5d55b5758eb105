using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// The host compositor dies and comes back on the same socket: the clients it had are let go, the
/// host service stays up, and the next client through the bridge is served by the new compositor.
/// </summary>
public sealed class CompositorRestartTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void After_weston_crashes_and_restarts_the_bridge_serves_a_new_client()
    {
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using (var before = SocketWaylandClient.Connect(bridge.SocketPath))
        {
            Assert.Contains(before.GetGlobals(), global => global.Interface == "wl_compositor");

            weston.CrashAndRestart();

            // Its compositor connection is gone, so its context ends and the proxy closes the client.
            Assert.True(before.WaitUntilDisconnected(Timeout), "the client of the dead compositor was not let go");
        }
        bridge.WaitForClientCount(0, Timeout);

        using var after = SocketWaylandClient.Connect(bridge.SocketPath);
        Assert.Contains(after.GetGlobals(), global => global.Interface == "wl_compositor");
        after.Roundtrip();
        var listed = WaylandInfo.ListGlobals(bridge.ApplyTo);
        Assert.Contains(listed, global => global.Interface == "wl_shm");
    }
}

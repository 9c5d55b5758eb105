using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// A client that breaks the protocol gets wl_display.error from the proxy and is disconnected,
/// as a compositor would do; one the host compositor cuts off gets the compositor's error and is
/// disconnected too. Other clients carry on either way.
/// </summary>
public sealed class ClientFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Violations => ["unknown opcode", "unknown object", "bind of a hidden global", "id not free", "a pool fd that is not memory"];

    [Theory]
    [MemberData(nameof(Violations))]
    public void A_client_that_breaks_the_protocol_gets_an_error_and_is_disconnected_while_others_carry_on(string violation)
    {
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using var bystander = new SocketWaylandClient(bridge.Connect());
        bystander.GetGlobals();
        using var offender = new SocketWaylandClient(bridge.Connect()) { ExpectProtocolError = true };
        offender.GetGlobals();

        var writer = offender.Requests();
        switch (violation)
        {
            case "unknown opcode":
                writer.Begin(WaylandObjectMap.DisplayId, 77);
                writer.End();
                break;
            case "unknown object":
                WlDisplay.SyncRequest.Encode(ref writer, 4242, 4243);
                writer = offender.Requests();
                writer.Begin(4242, 0);
                writer.End();
                break;
            case "bind of a hidden global":
                var hidden = WaylandInfo.ListGlobals(weston).First(global => global.Interface.StartsWith("weston_", StringComparison.Ordinal));
                WlRegistry.BindRequest.Encode(ref writer, 2, hidden.Name, hidden.Interface, 1, offender.NewObject(WlCallback.Interface));
                break;
            case "id not free":
                WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, 2); // 2 is the registry
                break;
            case "a pool fd that is not memory":
                uint shm = offender.Bind(WlShm.Interface, 1);
                var (readEnd, writeEnd) = global::CrossDomain.Interop.Pipe.Create();
                writeEnd.Dispose();
                writer = offender.Requests();
                WlShm.CreatePoolRequest.Encode(ref writer, shm, offender.NewObject(WlShmPool.Interface), 4096);
                offender.Send(writer.Written, readEnd);
                writer = offender.Requests();
                break;
        }
        if (writer.Length > 0) offender.Send(writer.Written);
        offender.WaitForDisconnect();
        Assert.NotNull(offender.ProtocolError);
        bridge.WaitForClientCount(1, Timeout);
        bystander.Roundtrip();
        Assert.Null(bystander.ProtocolError);
    }

    [Fact]
    public void When_the_host_service_goes_away_its_clients_are_let_go_and_the_proxy_stays()
    {
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using var client = new SocketWaylandClient(bridge.Connect());
        client.GetGlobals();

        bridge.StopHost();

        // The client is waiting for nothing in particular: only the proxy noticing can end it.
        client.WaitForDisconnect();
        bridge.WaitForClientCount(0, Timeout);
        // New clients are refused (no channel to open) and the proxy goes on listening.
        using var late = new SocketWaylandClient(bridge.Connect());
        late.WaitForDisconnect();
        Assert.Equal(0, bridge.Server.ClientCount);
    }

    [Fact]
    public void A_client_the_host_compositor_cuts_off_gets_its_error_and_the_proxy_lets_it_go()
    {
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using var client = new SocketWaylandClient(bridge.Connect()) { ExpectProtocolError = true };
        client.GetGlobals();
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        uint wmBase = client.Bind(XdgWmBase.Interface, 1);
        uint surface = client.NewObject(WlSurface.Interface, 4);
        var writer = client.Requests();
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surface);
        // A second xdg_surface for one wl_surface: a role error weston answers by disconnecting.
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, client.NewObject(XdgSurface.Interface), surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, client.NewObject(XdgSurface.Interface), surface);
        client.Send(writer.Written);

        client.WaitForDisconnect();
        Assert.NotNull(client.ProtocolError);
        Assert.Equal(wmBase, client.ProtocolError.Value.ObjectId);
        bridge.WaitForClientCount(0, Timeout);
    }
}

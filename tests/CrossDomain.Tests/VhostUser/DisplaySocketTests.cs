using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// GPU_SET_SOCKET as QEMU does it (once per DRIVER_OK, so twice across a guest driver reload),
/// with the test playing QEMU's display on the other end.
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class DisplaySocketTests : IDisposable
{
    private readonly BackendLoop _backend = new();
    private readonly TestGuest _guest = new("vhost-display-ram");

    public void Dispose()
    {
        _backend.Dispose();
        _guest.Dispose();
    }

    [Fact]
    public void A_second_display_socket_replaces_the_first_and_negotiates_its_features()
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        var backendOptions = VhostUserBackendOptions.Default with { DisplayProtocolFeatures = DisplayProtocolFeatures.Edid };
        var session = _backend.StartSession(theirs, backendOptions);
        using var frontend = new VhostUserFrontend(ours, VhostUserFrontendOptions.QemuLike with { DisplaySocketCount = 2 });
        Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
        Assert.True(frontend.Synchronize().IsSuccess);
        Assert.Equal(2, frontend.DisplayPeers.Count);

        // The first socket was dropped: after the back-end's opening request, QEMU's end sees EOF.
        using (var first = new VhostUserChannel(Adopt(frontend.DisplayPeers[0]), MessageRules.DisplayRequests))
        {
            using (var opening = Receive(first)) Assert.Equal((uint)DisplayRequest.GetProtocolFeatures, opening.Request);
            Assert.Equal(ReceiveStatus.Closed, first.ReceiveWithin(5000, out _).Status);
        }

        using var display = new VhostUserChannel(Adopt(frontend.DisplayPeers[1]), MessageRules.DisplayRequests);
        using (var request = Receive(display))
        {
            Assert.Equal((uint)DisplayRequest.GetProtocolFeatures, request.Request);
            Assert.Equal(MessageFlags.None, request.Header.Flags);
            Assert.Equal(0, request.Payload.Length);
        }
        Assert.Equal(DisplayConnectionState.Negotiating, _backend.Invoke(() => session.Display!.State));

        // QEMU 10 offers EDID and DMABUF2 and answers with the reply flag only.
        var offered = DisplayProtocolFeatures.Edid | DisplayProtocolFeatures.Dmabuf2;
        Assert.Equal(SendStatus.Sent, display.Send((uint)DisplayRequest.GetProtocolFeatures, MessageFlags.Reply, (ulong)offered));
        using (var set = Receive(display))
        {
            Assert.Equal((uint)DisplayRequest.SetProtocolFeatures, set.Request);
            Assert.True(set.TryRead(out ulong agreed));
            Assert.Equal((ulong)DisplayProtocolFeatures.Edid, agreed);
        }
        _backend.Invoke(() =>
        {
            Assert.Equal(DisplayConnectionState.Ready, session.Display!.State);
            Assert.Equal(offered, session.Display.OfferedFeatures);
            Assert.Equal(DisplayProtocolFeatures.Edid, session.Display.NegotiatedFeatures);
        });
    }

    [Fact]
    public void A_confused_display_closes_the_display_socket_only()
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        var session = _backend.StartSession(theirs);
        using var frontend = new VhostUserFrontend(ours, VhostUserFrontendOptions.QemuLike);
        Assert.True(frontend.Handshake(_guest.Memory, _guest.Queues).IsSuccess);
        using var display = new VhostUserChannel(Adopt(frontend.DisplayPeers[0]), MessageRules.DisplayRequests);
        Receive(display).Dispose();

        // A request where a reply belongs.
        display.Send((uint)DisplayRequest.Scanout, MessageFlags.None, new byte[12]);
        Assert.True(_backend.WaitUntil(() => session.Display!.State == DisplayConnectionState.Closed));
        Assert.Equal(ChannelError.UnexpectedDirection, _backend.Invoke(() => session.Display!.Error));
        Assert.True(frontend.Synchronize().IsSuccess);
        Assert.False(_backend.Invoke(() => session.IsClosed));
    }

    private static UnixSocket Adopt(UnixSocket peer) => UnixSocket.Adopt(peer.Handle.Duplicate());

    private static VhostUserMessage Receive(VhostUserChannel channel)
    {
        var result = channel.ReceiveWithin(5000, out var message);
        Assert.True(result.IsMessage, result.ToString());
        return message!;
    }
}

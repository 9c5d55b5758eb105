using CrossDomain.Interop;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// QEMU's display socket (GPU_SET_SOCKET), kept minimal: the protocol-feature exchange QEMU's
/// reference back-end does first (VHOST-USER.md §10), and nothing else yet. The cross-domain
/// display is the host compositor, so QEMU's console needs no frames from us. Anything broken
/// on this socket closes this socket only; the device keeps running.
/// </summary>
public sealed class DisplaySocketConnection : IDisposable
{
    private readonly VhostUserChannel _displayChannel;
    private readonly DisplayProtocolFeatures _supported;
    private readonly FdWatch _watch;

    internal DisplaySocketConnection(UnixSocket socket, EventLoop loop, DisplayProtocolFeatures supported)
    {
        _displayChannel = new VhostUserChannel(socket, MessageRules.DisplayReplies);
        _supported = supported;
        try
        {
            // epoll refuses fds it cannot poll (a regular file passed as a "socket").
            _watch = loop.Watch(socket.Handle, Readiness.Readable, OnReadiness);
        }
        catch
        {
            _displayChannel.Dispose();
            throw;
        }
        Send(DisplayRequest.GetProtocolFeatures, ReadOnlySpan<byte>.Empty);
    }

    public DisplayConnectionState State { get; private set; } = DisplayConnectionState.Negotiating;

    /// <summary>What QEMU offered in its GET_PROTOCOL_FEATURES reply.</summary>
    public DisplayProtocolFeatures OfferedFeatures { get; private set; }

    public DisplayProtocolFeatures NegotiatedFeatures { get; private set; }

    /// <summary>Why the socket closed, when QEMU (not we) ended it.</summary>
    public ChannelError Error => _displayChannel.Error;

    public void Dispose()
    {
        if (State == DisplayConnectionState.Closed) return;
        State = DisplayConnectionState.Closed;
        _watch.Dispose();
        _displayChannel.Dispose();
    }

    private void OnReadiness(Readiness readiness)
    {
        if ((readiness & Readiness.Writable) != 0 && _displayChannel.Flush() == SendStatus.Sent)
            _watch.Change(Readiness.Readable);
        while (State != DisplayConnectionState.Closed)
        {
            var result = _displayChannel.TryReceive(out var reply);
            if (result.Status == ReceiveStatus.WouldBlock) break;
            if (!result.IsMessage)
            {
                Dispose();
                break;
            }
            using (reply) Handle(reply!);
        }
    }

    private void Handle(VhostUserMessage reply)
    {
        // Only the feature exchange is ever asked for, so any other reply is a confused peer.
        if (State != DisplayConnectionState.Negotiating
            || reply.Request != (uint)DisplayRequest.GetProtocolFeatures
            || !reply.TryRead(out ulong offered))
        {
            Dispose();
            return;
        }
        OfferedFeatures = (DisplayProtocolFeatures)offered;
        NegotiatedFeatures = OfferedFeatures & _supported;
        State = DisplayConnectionState.Ready;
        Send(DisplayRequest.SetProtocolFeatures, BitConverter.GetBytes((ulong)NegotiatedFeatures));
    }

    private void Send(DisplayRequest request, ReadOnlySpan<byte> payload)
    {
        // The display socket has no version bits: requests carry flags 0, as QEMU's back-end sends them.
        switch (_displayChannel.Send((uint)request, MessageFlags.None, payload))
        {
            case SendStatus.Queued:
                _watch.Change(Readiness.Readable | Readiness.Writable);
                break;
            case SendStatus.Failed:
                Dispose();
                break;
        }
    }
}

/// <summary>Where the display socket's feature exchange stands.</summary>
public enum DisplayConnectionState
{
    /// <summary>GET_PROTOCOL_FEATURES sent; waiting for QEMU's answer.</summary>
    Negotiating,

    /// <summary>Features agreed; the socket can carry display requests.</summary>
    Ready,

    /// <summary>Closed, replaced, or broken by the peer.</summary>
    Closed,
}

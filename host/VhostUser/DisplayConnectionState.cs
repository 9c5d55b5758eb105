namespace CrossDomain.Host.VhostUser;

public enum DisplayConnectionState
{
    /// <summary>GET_PROTOCOL_FEATURES sent; waiting for QEMU's answer.</summary>
    Negotiating,

    /// <summary>Features agreed; the socket can carry display requests.</summary>
    Ready,

    /// <summary>Closed, replaced, or broken by the peer.</summary>
    Closed,
}

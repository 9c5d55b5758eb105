namespace CrossDomain.Host.VhostUser;

public enum SessionEndReason
{
    /// <summary>The front-end closed the connection (VM shut down, VMM quit) or the socket failed.</summary>
    PeerClosed,

    /// <summary>The front-end sent something the channel could not take; see <see cref="VhostUserSessionEnd.ChannelError"/>.</summary>
    MalformedMessage,

    /// <summary>A request failed and the front-end had not asked for an ack, so it could not know: the device would run broken.</summary>
    RequestFailed,

    /// <summary>The device (or the session) threw; the session ends so that the service goes on.</summary>
    InternalFault,

    /// <summary>Ended by our side (shutdown, disposal).</summary>
    Disposed,
}

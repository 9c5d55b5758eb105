namespace CrossDomain.Wayland.Connection;

/// <summary>Which table of an interface the messages on a connection come from.</summary>
public enum MessageDirection
{
    /// <summary>Client to compositor: what a server (or the proxy facing an app) reads.</summary>
    Requests,
    /// <summary>Compositor to client: what a client (or the host facing the compositor) reads.</summary>
    Events,
}

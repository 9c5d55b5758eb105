namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>Which rule a guest's Wayland stream broke; each ends that context's connection to the compositor.</summary>
public enum FirewallRule
{
    /// <summary>A bind of an interface the allowlist does not carry (weston_screenshooter, weston_debug_v1 …).</summary>
    GlobalNotAllowed,

    /// <summary>A bind of a global name the compositor never advertised to this context, or has removed.</summary>
    GlobalNotAdvertised,

    /// <summary>A bind whose interface string differs from the one advertised under that name.</summary>
    InterfaceMismatch,

    /// <summary>A bind at version 0 or above the version offered to this context.</summary>
    VersionAboveCap,

    /// <summary>A message the filter cannot frame or decode: a bad size in its header, or bad arguments where it must read them.</summary>
    MalformedMessage,

    /// <summary>More tracked objects (registries, surfaces, pools, sources, xdg-shell objects …) than one context may have.</summary>
    TooManyObjects,

    /// <summary>A wl_compositor.create_surface past the surfaces one context may have at once.</summary>
    TooManySurfaces,

    /// <summary>A wl_shm pool created or resized past the bytes one pool may have.</summary>
    ShmPoolTooLarge,

    /// <summary>A shm or dma-buf buffer wider or taller than a buffer may be.</summary>
    BufferTooLarge,

    /// <summary>A shm buffer that is empty, or whose rows (offset, stride × height) do not lie within its pool.</summary>
    BufferOutsidePool,

    /// <summary>A window minimum size, or a viewport destination, wider or taller than a surface may be.</summary>
    SurfaceTooLarge,

    /// <summary>More requests than the context's rate allows: a burst past its bucket, refilled at so many a second.</summary>
    RequestRateExceeded,

    /// <summary>A clipboard or primary-selection source offering more MIME types than one source may.</summary>
    TooManyMimeTypes,

    /// <summary>A MIME type offered longer than one may be.</summary>
    MimeTypeTooLong,

    /// <summary>One clipboard or drag-and-drop transfer (one pipe) carrying more bytes than one may.</summary>
    TransferTooLarge,
}

/// <summary>The rule a stream broke and the message that broke it, described for one log line.</summary>
public sealed record FirewallViolation(FirewallRule Rule, string Message);

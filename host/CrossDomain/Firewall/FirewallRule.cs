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

    /// <summary>More tracked objects (registries, xdg-shell objects) than one context may have.</summary>
    TooManyObjects,
}

/// <summary>The rule a stream broke and the message that broke it, described for one log line.</summary>
public sealed record FirewallViolation(FirewallRule Rule, string Message);

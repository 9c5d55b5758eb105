namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>The few kinds of object whose messages the filter reads; every other object's messages pass unread.</summary>
internal enum TrackedObjectKind : byte
{
    Registry,
    XdgWmBase,
    XdgSurface,
    XdgToplevel,
}

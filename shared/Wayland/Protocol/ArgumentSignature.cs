namespace CrossDomain.Wayland.Protocol;

/// <summary>
/// One argument of a request or event as the XML declares it. <see cref="Interface"/> is the
/// interface name of an <c>object</c> or <c>new_id</c>; a <c>new_id</c> without one is the untyped
/// form of <c>wl_registry.bind</c>, which travels as (string interface, uint version, uint id).
/// </summary>
public sealed record ArgumentSignature(string Name, WaylandArgumentType Type, bool Nullable = false, string? Interface = null)
{
    public bool IsUntypedNewId => Type == WaylandArgumentType.NewId && Interface is null;
}

namespace CrossDomain.Wayland.Protocol;

/// <summary>
/// One argument of a request or event as the XML declares it. <see cref="Interface"/> is the
/// interface name of an <c>object</c> or <c>new_id</c>; a <c>new_id</c> without one is the untyped
/// form of <c>wl_registry.bind</c>, which travels as (string interface, uint version, uint id).
/// </summary>
public sealed record ArgumentSignature(string Name, WaylandArgumentType Type, bool Nullable = false, string? Interface = null)
{
    /// <summary>
    /// The interface <see cref="Interface"/> names, as the generator resolved it when that
    /// interface is among the generated ones: what a new object gets, with no lookup by name.
    /// </summary>
    public WaylandInterface? ResolvedInterface { get; init; }

    public bool IsUntypedNewId => Type == WaylandArgumentType.NewId && Interface is null;

    // The resolved interface follows from the name, so equality stays a comparison of what the
    // XML says (a hand-written signature equals the generated one).
    public bool Equals(ArgumentSignature? other) =>
        other is not null && Name == other.Name && Type == other.Type && Nullable == other.Nullable && Interface == other.Interface;

    public override int GetHashCode() => HashCode.Combine(Name, Type, Nullable, Interface);
}

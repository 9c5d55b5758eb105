namespace CrossDomain.Host.VhostUser;

/// <summary>
/// The three areas of a started split ring, translated from the front-end's user addresses.
/// Lengths always include the event-index fields (used_event, avail_event), so the areas are
/// whole whether or not EVENT_IDX is negotiated.
/// </summary>
public readonly record struct VringAreas(VringArea DescriptorTable, VringArea AvailableRing, VringArea UsedRing);

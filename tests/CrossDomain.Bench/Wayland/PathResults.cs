namespace CrossDomain.Bench.Wayland;

/// <summary>Everything measured on one path, for the comparison table.</summary>
internal sealed record PathResults(
    string Name,
    RoundTripLatency.Result RoundTrip,
    FrameThroughput.Result FullDamage,
    FrameThroughput.Result SmallDamage,
    double SetupMilliseconds,
    RegionChurn.Result Regions);

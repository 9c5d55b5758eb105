namespace CrossDomain.Bench.Wayland;

/// <summary>Everything measured on one path in one run, for the comparison table.</summary>
/// <param name="Idle">Null for the direct path, which has no relay.</param>
/// <param name="IdleWithDefaultCapsets">The bridge's idle cost when the host offers its default capsets (virgl loads virglrenderer); null elsewhere.</param>
/// <param name="PeakResidentMiB">The relay processes' peak memory at the end of the run; null for direct.</param>
internal sealed record PathResults(
    string Name,
    RelayIdle.Result? Idle,
    RelayIdle.Result? IdleWithDefaultCapsets,
    RoundTripLatency.Result RoundTrip,
    FrameThroughput.Result FullDamage,
    FrameThroughput.Result SmallDamage,
    FrameThroughput.Result UltraHdFullDamage,
    double SetupMilliseconds,
    RegionChurn.Result Regions,
    double? PeakResidentMiB);

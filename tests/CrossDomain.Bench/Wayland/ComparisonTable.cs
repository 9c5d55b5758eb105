using System.Globalization;

namespace CrossDomain.Bench.Wayland;

/// <summary>The Markdown table docs/PERFORMANCE.md records: one row per measure, one column per path.</summary>
internal static class ComparisonTable
{
    public static void Print(IReadOnlyList<PathResults> results, TextWriter output)
    {
        output.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Name))} |");
        output.WriteLine($"|---|{string.Concat(results.Select(_ => "---|"))}");
        Row(output, results, $"wl_display.sync round trip, median µs ({RoundTripLatency.Count})", r => r.RoundTrip.MedianMicroseconds, "F0");
        Row(output, results, "wl_display.sync round trip, p99 µs", r => r.RoundTrip.P99Microseconds, "F0");
        Row(output, results, "relay CPU µs per round trip", r => r.RoundTrip.RelayCpuMicrosecondsPerRoundTrip, "F0");
        Frames(output, results, "1080p full damage", r => r.FullDamage);
        Frames(output, results, "1080p one 64×64 square", r => r.SmallDamage);
        Row(output, results, "connect → first frame presented, median ms", r => r.SetupMilliseconds, "F1");
        output.WriteLine($"| {RegionChurn.Regions:N0} wl_region create+destroy, then sync: ms | {string.Join(" | ", results.Select(r => r.Regions.Milliseconds?.ToString("F0", CultureInfo.InvariantCulture) ?? "stalled (no answer in 30 s)"))} |");
        Row(output, results, "  relay CPU ms for those", r => r.Regions.RelayCpuMilliseconds, "F0");
    }

    private static void Frames(TextWriter output, IReadOnlyList<PathResults> results, string name, Func<PathResults, FrameThroughput.Result> pick)
    {
        Row(output, results, $"{name}: frames/s ({pick(results[0]).Frames} frames)", r => pick(r).FramesPerSecond, "F1");
        Row(output, results, $"{name}: relay CPU ms/frame", r => pick(r).RelayCpuMillisecondsPerFrame, "F2");
        Row(output, results, $"{name}: shm bytes copied/frame (damaged: {pick(results[0]).DamagedBytesPerFrame:N0})", r => pick(r).CopiedBytesPerFrame, "N0");
    }

    private static void Row(TextWriter output, IReadOnlyList<PathResults> results, string name, Func<PathResults, double?> value, string format) =>
        output.WriteLine($"| {name} | {string.Join(" | ", results.Select(r => value(r) is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "—"))} |");
}

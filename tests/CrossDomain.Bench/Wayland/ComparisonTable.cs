using System.Globalization;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// The Markdown table docs/PERFORMANCE.md records: one row per measure, one column per path; with
/// several runs each cell is the median, then the lowest and highest value in brackets.
/// </summary>
internal static class ComparisonTable
{
    public static void Print(IReadOnlyList<(string Name, IReadOnlyList<PathResults> Runs)> columns, TextWriter output)
    {
        output.WriteLine($"| measure | {string.Join(" | ", columns.Select(column => column.Name))} |");
        output.WriteLine($"|---|{string.Concat(columns.Select(_ => "---|"))}");
        var first = columns[0].Runs[0];
        Row(output, columns, "relay idle (start, 1 s): ready in ms, both sides", r => r.Idle?.ReadyMilliseconds, "F0");
        Row(output, columns, "relay idle: CPU ms, both sides", r => r.Idle?.CpuMilliseconds, "F0");
        Row(output, columns, "relay idle: peak RSS MiB, both sides", r => r.Idle?.PeakResidentMiB, "F1");
        Row(output, columns, "  same with the host's default capsets (virgl too): CPU ms", r => r.IdleWithDefaultCapsets?.CpuMilliseconds, "F0");
        Row(output, columns, "  same with the host's default capsets: peak RSS MiB", r => r.IdleWithDefaultCapsets?.PeakResidentMiB, "F1");
        Row(output, columns, $"wl_display.sync round trip, median µs ({RoundTripLatency.Count})", r => r.RoundTrip.MedianMicroseconds, "F0");
        Row(output, columns, "wl_display.sync round trip, p99 µs", r => r.RoundTrip.P99Microseconds, "F0");
        Row(output, columns, "relay CPU µs per round trip", r => r.RoundTrip.RelayCpuMicrosecondsPerRoundTrip, "F0");
        Frames(output, columns, "1080p full damage", first.FullDamage, r => r.FullDamage);
        Frames(output, columns, "1080p one 64×64 square", first.SmallDamage, r => r.SmallDamage);
        Frames(output, columns, "4K full damage", first.UltraHdFullDamage, r => r.UltraHdFullDamage);
        Row(output, columns, "connect → first frame presented, median ms", r => r.SetupMilliseconds, "F1");
        Row(output, columns, $"{RegionChurn.Regions:N0} wl_region create+destroy, then sync: ms", r => r.Regions.Milliseconds, "F0", missing: "stalled (no answer in 30 s)");
        Row(output, columns, "  relay CPU ms for those", r => r.Regions.RelayCpuMilliseconds, "F0");
        Row(output, columns, "relay peak RSS MiB over the run, both sides", r => r.PeakResidentMiB, "F1");
    }

    private static void Frames(TextWriter output, IReadOnlyList<(string Name, IReadOnlyList<PathResults> Runs)> columns, string name, FrameThroughput.Result first, Func<PathResults, FrameThroughput.Result> pick)
    {
        Row(output, columns, $"{name}: frames/s ({first.Frames} frames)", r => pick(r).FramesPerSecond, "F1");
        Row(output, columns, $"{name}: relay CPU ms/frame", r => pick(r).RelayCpuMillisecondsPerFrame, "F2");
        Row(output, columns, $"{name}: shm bytes copied/frame (damaged: {first.DamagedBytesPerFrame:N0})", r => pick(r).CopiedBytesPerFrame, "N0");
    }

    private static void Row(TextWriter output, IReadOnlyList<(string Name, IReadOnlyList<PathResults> Runs)> columns, string name, Func<PathResults, double?> value, string format, string missing = "—") =>
        output.WriteLine($"| {name} | {string.Join(" | ", columns.Select(column => Cell(column.Runs.Select(value).ToList(), format, missing)))} |");

    private static string Cell(List<double?> values, string format, string missing)
    {
        var measured = values.OfType<double>().Order().ToList();
        if (measured.Count == 0) return missing;
        string Text(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        string median = Text(measured[measured.Count / 2]);
        string cell = measured.Count == 1 ? median : $"{median} ({Text(measured[0])}–{Text(measured[^1])})";
        // A run whose measure is missing (a stall) is said, not hidden in the median.
        int gaps = values.Count - measured.Count;
        return gaps == 0 ? cell : $"{cell}, {gaps}× {missing}";
    }
}

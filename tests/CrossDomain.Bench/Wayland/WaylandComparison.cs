namespace CrossDomain.Bench.Wayland;

/// <summary>
/// `crossdomain-bench wayland [--quick] [--runs N] [--jit]`: the same clients of our own codec run
/// directly on a private headless weston (1920×1080, pixman; 3840×2160 for the 4K frames), through the bridge in local mode
/// (native binaries unless --jit; the host offering only the cross-domain capset, as waypipe
/// relays only Wayland), with its firewall off for comparison, and through waypipe when it is
/// installed; each path gets a fresh weston. N runs go round the paths in turn, so that a change
/// in the machine's load spreads over all columns; the table then gives each cell's median and
/// range.
/// </summary>
internal static class WaylandComparison
{

    private sealed record PathSpec(string Name, Func<PrivateWeston, IWaylandPath> Start, bool MeasureIdle, Func<PrivateWeston, IWaylandPath>? StartWithDefaultCapsets = null);

    public static int Run(bool quick, int runs, bool native)
    {
        var picture = new BenchPicture(WindowSize.FullHd);
        var uhdPicture = new BenchPicture(WindowSize.UltraHd);
        int fullFrames = quick ? 60 : 300;
        int smallFrames = quick ? 300 : 1500;
        int setupRepeats = quick ? 3 : 7;

        var bridge = new BridgeOptions(native, Firewall: true, Capsets: "cross-domain");
        var paths = new List<PathSpec>
        {
            new("direct", weston => new DirectPath(weston), MeasureIdle: false),
            new("bridge", weston => BridgePath.Start(weston, bridge), MeasureIdle: true,
                weston => BridgePath.Start(weston, bridge with { Capsets = null })),
            new("bridge, firewall off", weston => BridgePath.Start(weston, bridge with { Firewall = false }), MeasureIdle: false),
        };
        if (WaypipePath.IsInstalled) paths.Add(new("waypipe", WaypipePath.Start, MeasureIdle: true));
        else Console.Error.WriteLine("waypipe is not installed (apt-get install waypipe): its column is left out");
        Console.Error.WriteLine($"the bridge runs {(native ? "the native binaries (artifacts/native)" : "the JIT-compiled dlls")}");

        var results = paths.ToDictionary(path => path.Name, _ => new List<PathResults>());
        bool allMeasured = true;
        for (int run = 1; run <= runs; run++)
        {
            foreach (var path in paths)
            {
                Console.Error.WriteLine($"run {run}/{runs}: measuring {path.Name} ...");
                try
                {
                    results[path.Name].Add(Measure(path, picture, uhdPicture, fullFrames, smallFrames, setupRepeats));
                }
                catch (Exception failure) when (failure is TimeoutException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // One path failing (a stall, a relay that exits, a refused connect) leaves the others' cells in the table.
                    Console.Error.WriteLine($"{path.Name}: not measured in run {run}: {failure.Message}");
                    allMeasured = false;
                }
            }
        }
        ComparisonTable.Print(paths.Select(path => (path.Name, (IReadOnlyList<PathResults>)results[path.Name])).Where(column => column.Item2.Count > 0).ToList(), Console.Out);
        return allMeasured ? 0 : 1;
    }

    private static PathResults Measure(PathSpec spec, BenchPicture picture, BenchPicture uhdPicture, int fullFrames, int smallFrames, int setupRepeats)
    {
        var size = picture.Size;
        RelayIdle.Result? idle = spec.MeasureIdle ? RelayIdle.Measure(spec.Start, size) : null;
        RelayIdle.Result? idleWithDefaults = spec.StartWithDefaultCapsets is { } withDefaults ? RelayIdle.Measure(withDefaults, size) : null;
        FrameThroughput.Result uhd;
        using (var uhdWeston = PrivateWeston.Start(uhdPicture.Size.Width, uhdPicture.Size.Height))
        using (var uhdPath = spec.Start(uhdWeston))
            uhd = FrameThroughput.Measure(uhdPath, uhdPicture, fullDamage: true, fullFrames / 3);
        using var weston = PrivateWeston.Start(size.Width, size.Height);
        using var path = spec.Start(weston);
        var roundTrip = RoundTripLatency.Measure(path);
        var full = FrameThroughput.Measure(path, picture, fullDamage: true, fullFrames);
        var small = FrameThroughput.Measure(path, picture, fullDamage: false, smallFrames);
        double setup = ConnectionSetup.MedianMilliseconds(path, setupRepeats);
        var regions = RegionChurn.Measure(path);
        double? peak = path.RelayProcessIds.Count == 0 ? null : ProcessTreeUsage.PeakResidentMiB(path.RelayProcessIds);
        return new PathResults(spec.Name, idle, idleWithDefaults, roundTrip, full, small, uhd, setup, regions, peak);
    }
}

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// `crossdomain-bench wayland [--quick]`: the same clients of our own codec run directly on a
/// private headless weston (1920×1080, pixman), through the bridge in local mode, and through
/// waypipe when it is installed; each path gets a fresh weston. Prints one comparison table.
/// </summary>
internal static class WaylandComparison
{
    private const int Width = ShmWindow.Width;
    private const int Height = ShmWindow.Height;

    public static int Run(bool quick)
    {
        var picture = new BenchPicture();
        int fullFrames = quick ? 60 : 300;
        int smallFrames = quick ? 300 : 1500;
        int setupRepeats = quick ? 3 : 7;

        var paths = new List<(string Name, Func<PrivateWeston, IWaylandPath> Start)>
        {
            ("direct", weston => new DirectPath(weston)),
            ("bridge", BridgePath.Start),
            ("bridge, firewall off", BridgePath.StartWithoutFirewall),
        };
        if (WaypipePath.IsInstalled) paths.Add(("waypipe", WaypipePath.Start));
        else Console.Error.WriteLine("waypipe is not installed (apt-get install waypipe): its column is left out");

        var results = new List<PathResults>();
        foreach (var (name, start) in paths)
        {
            Console.Error.WriteLine($"measuring {name} ...");
            try
            {
                results.Add(Measure(name, start, picture, fullFrames, smallFrames, setupRepeats));
            }
            catch (Exception failure) when (failure is TimeoutException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // One path failing (a stall, a relay that exits, a refused connect) leaves the others' column in the table.
                Console.Error.WriteLine($"{name}: not measured: {failure.Message}");
            }
        }
        ComparisonTable.Print(results, Console.Out);
        return results.Count == paths.Count ? 0 : 1;
    }

    private static PathResults Measure(string name, Func<PrivateWeston, IWaylandPath> start, BenchPicture picture, int fullFrames, int smallFrames, int setupRepeats)
    {
        using var weston = PrivateWeston.Start(Width, Height);
        using var path = start(weston);
        var roundTrip = RoundTripLatency.Measure(path);
        var full = FrameThroughput.Measure(path, picture, fullDamage: true, fullFrames);
        var small = FrameThroughput.Measure(path, picture, fullDamage: false, smallFrames);
        double setup = ConnectionSetup.MedianMilliseconds(path, setupRepeats);
        var regions = RegionChurn.Measure(path);
        return new PathResults(name, roundTrip, full, small, setup, regions);
    }
}

using CrossDomain.Bench;
using CrossDomain.Bench.Wayland;

// crossdomain-bench submit-roundtrip [COUNT]
// crossdomain-bench wayland [--quick] [--runs N] [--jit]
// crossdomain-bench firewall [ROUND_TRIPS]
// crossdomain-bench load sync|regions|frames SOCKET   (one load on a given socket, to profile the relay behind it)
string scenario = args.Length > 0 ? args[0] : "submit-roundtrip";
switch (scenario)
{
    case "submit-roundtrip":
        int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
        Console.WriteLine("| scenario | commands | commands/s | median µs | p99 µs | CPU µs/command (both sides) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        SubmitRoundTrip.Run(count, eventIndex: true);
        SubmitRoundTrip.Run(count, eventIndex: false);
        return 0;
    case "firewall":
        FirewallCost.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000);
        return 0;
    case "wayland":
        int runs = 1;
        int runsAt = Array.IndexOf(args, "--runs");
        if (runsAt > 0 && !(runsAt + 1 < args.Length && int.TryParse(args[runsAt + 1], System.Globalization.CultureInfo.InvariantCulture, out runs) && runs > 0))
        {
            Console.Error.WriteLine("crossdomain-bench: --runs takes a positive count");
            return 2;
        }
        return WaylandComparison.Run(quick: args.Contains("--quick"), runs, native: !args.Contains("--jit"));
    case "load" when args.Length == 3 && args[1] is "sync" or "regions" or "frames":
        var given = new GivenSocketPath(args[2]);
        if (args[1] == "sync") Console.WriteLine($"{RoundTripLatency.Count} round trips, median {RoundTripLatency.Measure(given).MedianMicroseconds:F0} µs");
        else if (args[1] == "regions") Console.WriteLine($"{RegionChurn.Regions} regions then sync: {RegionChurn.Measure(given).Milliseconds:F0} ms");
        else Console.WriteLine($"1080p full damage: {FrameThroughput.Measure(given, new BenchPicture(WindowSize.FullHd), fullDamage: true, 600).FramesPerSecond:F0} frames/s");
        return 0;
    default:
        Console.Error.WriteLine($"crossdomain-bench: unknown scenario '{scenario}' (known: submit-roundtrip, wayland [--quick] [--runs N] [--jit], firewall [ROUND_TRIPS], load sync|regions|frames SOCKET)");
        return 2;
}

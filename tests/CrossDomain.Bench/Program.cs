using CrossDomain.Bench;
using CrossDomain.Bench.Wayland;

// crossdomain-bench submit-roundtrip [COUNT]
// crossdomain-bench wayland [--quick]
// crossdomain-bench firewall [ROUND_TRIPS]
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
        return WaylandComparison.Run(quick: args.Skip(1).Contains("--quick"));
    default:
        Console.Error.WriteLine($"crossdomain-bench: unknown scenario '{scenario}' (known: submit-roundtrip, wayland [--quick], firewall [ROUND_TRIPS])");
        return 2;
}

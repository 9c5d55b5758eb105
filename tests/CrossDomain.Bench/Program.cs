using CrossDomain.Bench;

// crossdomain-bench submit-roundtrip [COUNT]
string scenario = args.Length > 0 ? args[0] : "submit-roundtrip";
int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
switch (scenario)
{
    case "submit-roundtrip":
        Console.WriteLine("| scenario | commands | commands/s | median µs | p99 µs | CPU µs/command (both sides) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        SubmitRoundTrip.Run(count, eventIndex: true);
        SubmitRoundTrip.Run(count, eventIndex: false);
        return 0;
    default:
        Console.Error.WriteLine($"crossdomain-bench: unknown scenario '{scenario}' (known: submit-roundtrip)");
        return 2;
}

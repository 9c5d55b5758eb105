using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/CrossDomain.MicroBench -- [BenchmarkDotNet's options: --filter '*Codec*', --job short, --list flat]
// Named by a type of its own: the host's and the proxy's Program are visible here too (InternalsVisibleTo).
var summaries = BenchmarkSwitcher.FromAssembly(typeof(CrossDomain.MicroBench.BenchMessages).Assembly).Run(args);
// A benchmark that threw (a relay that closed its client, a copy that found no memory) is a
// failed run, not a fast one: the exit status says so to a script.
return summaries.Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(report => !report.Success)) ? 1 : 0;

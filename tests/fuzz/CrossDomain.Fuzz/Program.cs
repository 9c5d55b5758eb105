using CrossDomain.Fuzz.Targets;
using SharpFuzz;

// CrossDomain.Fuzz TARGET            run under afl-fuzz (persistent mode)
// CrossDomain.Fuzz seed TARGET DIR   write the target's seed inputs into DIR
// CrossDomain.Fuzz replay TARGET FILE...  run inputs once each, in-process, to reproduce a finding
string Usage() => "usage: CrossDomain.Fuzz TARGET | seed TARGET DIR | replay TARGET FILE...\ntargets: " +
    string.Join(", ", FuzzTargets.All.Select(target => target.Name));

if (args.Length == 0)
{
    Console.Error.WriteLine(Usage());
    return 2;
}

FuzzTarget Target(string name) => FuzzTargets.Find(name) ?? throw new ArgumentException($"no target '{name}'\n{Usage()}");

// This process opens no fds of its own while a target runs, so a target may count them.
ProxyEventsTarget.CheckFdLeaks = true;

switch (args[0])
{
    case "seed" when args.Length == 3:
    {
        Directory.CreateDirectory(args[2]);
        foreach (var (name, input) in Target(args[1]).Seeds()) File.WriteAllBytes(Path.Combine(args[2], $"seed-{name}"), input);
        return 0;
    }
    case "replay" when args.Length >= 3:
    {
        var target = Target(args[1]);
        foreach (var file in args[2..])
        {
            Console.WriteLine(file);
            target.Run(File.ReadAllBytes(file));
        }
        return 0;
    }
    case "seed" or "replay":
        Console.Error.WriteLine(Usage());
        return 2;
    default:
    {
        var target = Target(args[0]);
        string? findingsLog = Environment.GetEnvironmentVariable("CROSSDOMAIN_FUZZ_FINDINGS");
        // Reused across executions: the input is copied out of AFL's stream, and the target resets its own state.
        var buffer = new MemoryStream();
        Fuzzer.OutOfProcess.Run(stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            try
            {
                target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
            catch (Exception finding) when (findingsLog is not null)
            {
                // AFL keeps the input but not what the process printed: the reason goes beside it.
                File.AppendAllText(findingsLog, $"--- {DateTime.UtcNow:O}\n{finding}\n");
                throw;
            }
        });
        return 0;
    }
}

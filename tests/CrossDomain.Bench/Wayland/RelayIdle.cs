using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// What a relay costs a user before any client: both of its processes started (for waypipe, the
/// client half and one server half), timed until they serve their sockets, then 1 s idle; CPU
/// since launch and peak memory of both, read just before they are stopped.
/// </summary>
internal static class RelayIdle
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    public readonly record struct Result(double ReadyMilliseconds, double CpuMilliseconds, double PeakResidentMiB);

    public static Result Measure(Func<PrivateWeston, IWaylandPath> start, WindowSize output)
    {
        using var weston = PrivateWeston.Start(output.Width, output.Height);
        var launched = Stopwatch.StartNew();
        using var path = start(weston);
        path.SocketForNextClient();
        double ready = launched.Elapsed.TotalMilliseconds;
        Thread.Sleep(Idle);
        return new Result(ready, ProcessTreeUsage.Cpu(path.RelayProcessIds).TotalMilliseconds, ProcessTreeUsage.PeakResidentMiB(path.RelayProcessIds));
    }
}

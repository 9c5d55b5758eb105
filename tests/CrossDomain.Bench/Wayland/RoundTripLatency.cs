using System.Diagnostics;

namespace CrossDomain.Bench.Wayland;

/// <summary>Sequential wl_display.sync round trips on one connection: client → relay → compositor and back.</summary>
internal static class RoundTripLatency
{
    private const int WarmUp = 200;
    public const int Count = 2000;

    public readonly record struct Result(double MedianMicroseconds, double P99Microseconds, double? RelayCpuMicrosecondsPerRoundTrip);

    public static Result Measure(IWaylandPath path)
    {
        using var client = BenchWaylandClient.Connect(path.SocketForNextClient());
        client.LoadGlobals();
        for (int i = 0; i < WarmUp; i++) client.Sync();
        var latencies = new double[Count];
        var cpuBefore = ProcessTreeUsage.Cpu(path.RelayProcessIds);
        for (int i = 0; i < Count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            client.Sync();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var cpu = ProcessTreeUsage.Cpu(path.RelayProcessIds) - cpuBefore;
        Array.Sort(latencies);
        return new Result(latencies[Count / 2], latencies[(int)(Count * 0.99)],
            path.RelayProcessIds.Count == 0 ? null : cpu.TotalMicroseconds / Count);
    }
}

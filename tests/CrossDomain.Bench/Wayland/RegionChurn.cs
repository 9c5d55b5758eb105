using System.Diagnostics;
using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Bench.Wayland;

/// <summary>
/// A protocol-heavy burst with no buffers: 10,000 wl_region objects created and destroyed, then a
/// round trip, timed from the first request to the sync's done. Each request is tiny, so this
/// is the per-message cost of parsing, id tracking and relaying (and the delete_id events back).
/// </summary>
internal static class RegionChurn
{
    public const int Regions = 10_000;
    private const int PairsPerFlush = 128;

    /// <param name="Milliseconds">Null when the final round trip never came back (the path stalled).</param>
    public readonly record struct Result(double? Milliseconds, double? RelayCpuMilliseconds);

    public static Result Measure(IWaylandPath path)
    {
        using var client = BenchWaylandClient.Connect(path.SocketForNextClient());
        client.LoadGlobals();
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        client.Sync();
        var cpuBefore = ProcessTreeUsage.Cpu(path.RelayProcessIds);
        var elapsed = Stopwatch.StartNew();
        for (int i = 0; i < Regions; i++)
        {
            uint region = client.NewId(WlRegion.Interface);
            var writer = client.Writer();
            writer.Begin(compositor, WlCompositor.Requests.CreateRegion);
            writer.WriteNewId(region);
            writer.End();
            writer.Begin(region, WlRegion.Requests.Destroy);
            writer.End();
            client.Enqueue(writer.Written);
            if (i % PairsPerFlush != PairsPerFlush - 1) continue;
            client.Flush();
            // The delete_id events come back as we go: read them so the compositor never has to buffer them all.
            client.DispatchPending();
        }
        try
        {
            client.Sync();
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"{path.Name}: the round trip after {Regions:N0} wl_region create+destroy pairs never came back");
            return new Result(null, null);
        }
        elapsed.Stop();
        var cpu = ProcessTreeUsage.Cpu(path.RelayProcessIds) - cpuBefore;
        return new Result(elapsed.Elapsed.TotalMilliseconds, path.RelayProcessIds.Count == 0 ? null : cpu.TotalMilliseconds);
    }
}

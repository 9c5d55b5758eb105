using System.Diagnostics;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Bench;

/// <summary>
/// What the host's Wayland firewall adds to one message, without the sockets and rings around it:
/// the bytes of a wl_display.sync round trip (the request; the callback's done and the delete_id
/// events) and of a wl_region create+add+destroy, through one context's filter, many times.
/// </summary>
internal static class FirewallCost
{
    public static void Run(int roundTrips)
    {
        // A rate no loop reaches: the bucket is still counted, as in a context, but never empties.
        var filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestsPerSecond = int.MaxValue, MaxRequestBurst = int.MaxValue }));
        var sync = new byte[64];
        var writer = new WireWriter(sync);
        WlDisplay.SyncRequest.Encode(ref writer, 1, 3);
        int syncLength = writer.Written.Length;
        var events = new byte[64];
        writer = new WireWriter(events);
        WlCallback.DoneEvent.Encode(ref writer, 3, 7);
        WlDisplay.DeleteIdEvent.Encode(ref writer, 1, 3);
        int eventsLength = writer.Written.Length;
        // wl_compositor@2.create_region(new id 4), wl_region@4.add(0, 0, 64, 64), wl_region@4.destroy().
        uint[] regionWords = [2, 12u << 16 | 1, 4, 4, 24u << 16 | 1, 0, 0, 64, 64, 4, 8u << 16 | 0];
        var region = new byte[regionWords.Length * 4];
        for (int i = 0; i < regionWords.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(i * 4), regionWords[i]);
        int regionLength = region.Length;
        var delivered = new byte[4096];

        Console.WriteLine("| path through the filter | messages | ns per message | bytes allocated per message |");
        Console.WriteLine("|---|---|---|---|");
        Measure("sync round trip: 1 request, 2 events", roundTrips, 3, () =>
        {
            filter.FilterRequests(sync.AsSpan(0, syncLength), out _);
            // Received into the RECEIVE's payload behind anything held, judged there.
            events.AsSpan(0, eventsLength).CopyTo(delivered.AsSpan(filter.HeldEventLength));
            filter.FilterEvents(delivered, eventsLength, out _);
        });
        Measure("wl_region create + add + destroy", roundTrips, 3, () => filter.FilterRequests(region.AsSpan(0, regionLength), out _));
    }

    private static void Measure(string name, int iterations, int messagesPerIteration, Action iteration)
    {
        for (int i = 0; i < 10_000; i++) iteration();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) iteration();
        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        long messages = (long)iterations * messagesPerIteration;
        Console.WriteLine($"| {name} | {messages} | {clock.Elapsed.TotalNanoseconds / messages:F0} | {(double)allocated / messages:F2} |");
    }
}

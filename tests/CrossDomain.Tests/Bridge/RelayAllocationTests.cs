using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Protocol;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// Tests that count what this whole process allocates. They run alone: any other test allocating
/// at the same time would be counted as the relay's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationAccounting
{
    public const string Name = "allocation accounting";

    /// <summary>
    /// Bytes allocated by every thread of this process but the calling one while <paramref name="traffic"/>
    /// runs on it: the test's client runs on the calling thread, and the relay on the proxy's and the
    /// host's loop threads.
    /// </summary>
    public static long AllocatedByOtherThreads(Action traffic)
    {
        long everyThreadBefore = GC.GetTotalAllocatedBytes(precise: true);
        long thisThreadBefore = GC.GetAllocatedBytesForCurrentThread();
        traffic();
        long thisThread = GC.GetAllocatedBytesForCurrentThread() - thisThreadBefore;
        long everyThread = GC.GetTotalAllocatedBytes(precise: true) - everyThreadBefore;
        return everyThread - thisThread;
    }

    /// <summary>
    /// The least that <see cref="AllocatedByOtherThreads"/> counts over <paramref name="windows"/> runs of
    /// <paramref name="traffic"/>. What the relay allocates per message is in every window; what the
    /// runtime and the test host allocate now and then on their own threads (timers, tiering, the test
    /// runner's messages) lands in some windows only, more of them on a busy machine.
    /// </summary>
    public static long QuietestWindow(int windows, Action traffic)
    {
        long least = long.MaxValue;
        for (int i = 0; i < windows; i++)
            least = Math.Min(least, AllocatedByOtherThreads(traffic));
        return least;
    }
}

/// <summary>
/// The bridge in steady state allocates nothing per relayed message: requests from a client of our
/// codec go through the in-process proxy and host service to a real weston, and its events come back,
/// thousands of times, while the rest of the process counts what it allocates.
/// </summary>
/// <remarks>
/// "Nothing" is less than <see cref="AllowedBytesPerMessage"/> per message in the quietest of
/// <see cref="Windows"/> windows of traffic after a warm-up (the first few thousand round trips still
/// allocate while the runtime tiers the code up): one allocation per message, 24 bytes at the
/// least, or even one per round trip, would be above it many times over in every window.
/// </remarks>
[Collection(AllocationAccounting.Name)]
public sealed class RelayAllocationTests(ITestOutputHelper output)
{
    private const double AllowedBytesPerMessage = 1.0;
    private const int WarmUpRounds = 5_000;
    private const int Windows = 10;
    private const int RoundsPerWindow = 1_000;

    [SkippableFact]
    public void Sync_round_trips_allocate_nothing_per_request_and_event()
    {
        Skip.IfNot(HeadlessWeston.IsInstalled, "weston is not installed");
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using var client = new SocketWaylandClient(bridge.Connect()) { PeerName = "the bridge" };
        client.GetGlobals();

        void RoundTrips(int count)
        {
            for (int i = 0; i < count; i++) client.Roundtrip();
        }

        RoundTrips(WarmUpRounds);
        long allocated = AllocationAccounting.QuietestWindow(Windows, () => RoundTrips(RoundsPerWindow));

        // Each round trip: wl_display.sync one way, wl_callback.done and wl_display.delete_id the other.
        AssertNothingPerMessage(allocated, messages: 3L * RoundsPerWindow);
    }

    [SkippableFact]
    public void Region_create_add_destroy_bursts_allocate_nothing_per_request_and_event()
    {
        Skip.IfNot(HeadlessWeston.IsInstalled, "weston is not installed");
        using var weston = HeadlessWeston.Start();
        using var bridge = BridgedProxy.Start(weston);
        using var client = new SocketWaylandClient(bridge.Connect()) { PeerName = "the bridge" };
        client.GetGlobals();
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        const int regionsPerBurst = 100;

        void Bursts(int count)
        {
            for (int burst = 0; burst < count; burst++)
            {
                for (int i = 0; i < regionsPerBurst; i++)
                {
                    uint region = client.NewObject(WlRegion.Interface);
                    var writer = client.Requests();
                    writer.Begin(compositor, WlCompositor.Requests.CreateRegion);
                    writer.WriteNewId(region);
                    writer.End();
                    writer.Begin(region, WlRegion.Requests.Add);
                    writer.WriteInt(i);
                    writer.WriteInt(i);
                    writer.WriteInt(64);
                    writer.WriteInt(64);
                    writer.End();
                    writer.Begin(region, WlRegion.Requests.Destroy);
                    writer.End();
                    client.Send(writer.Written);
                }
                client.Roundtrip();
            }
        }

        Bursts(WarmUpRounds / regionsPerBurst);
        const int burstsPerWindow = RoundsPerWindow / regionsPerBurst;
        long allocated = AllocationAccounting.QuietestWindow(Windows, () => Bursts(burstsPerWindow));

        // Each region: three requests one way, its delete_id the other; each burst's sync: one and two.
        AssertNothingPerMessage(allocated, messages: burstsPerWindow * (4L * regionsPerBurst + 3));
    }

    private void AssertNothingPerMessage(long allocated, long messages)
    {
        double perMessage = (double)allocated / messages;
        output.WriteLine($"{allocated} bytes allocated outside the test's thread in the quietest window of {messages} relayed messages: {perMessage:F3} per message");
        Assert.True(perMessage < AllowedBytesPerMessage,
            $"the relay allocated {allocated} bytes over {messages} messages ({perMessage:F2} per message) in the quietest of {Windows} windows in steady state");
    }
}

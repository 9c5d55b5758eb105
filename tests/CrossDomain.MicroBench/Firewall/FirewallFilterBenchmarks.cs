using BenchmarkDotNet.Attributes;
using CrossDomain.Host.CrossDomain.Firewall;

namespace CrossDomain.MicroBench.Firewall;

/// <summary>
/// The host's Wayland firewall on one context's stream, without the rings and sockets around it:
/// what it adds to each SEND the guest makes and each RECEIVE the compositor fills. The same
/// messages as crossdomain-bench's <c>firewall</c> scenario, which times them by hand.
/// </summary>
[MemoryDiagnoser]
public class FirewallFilterBenchmarks
{
    private const uint CompositorId = 2, CallbackId = 3, RegionId = 4;

    private WaylandStreamFilter _filter = null!;
    private byte[] _sync = [];
    private byte[] _callbackDoneAndDeleteId = [];
    private byte[] _regionCreateAddDestroy = [];
    // A RECEIVE's payload: events are judged where they were received, behind what the filter holds.
    private readonly byte[] _received = new byte[4096];

    [GlobalSetup]
    public void MakeTheFilter()
    {
        // A rate no benchmark reaches: the bucket is still counted, as in a context, but never empties.
        _filter = new WaylandStreamFilter(new FirewallPolicy(new WaylandFirewallOptions { MaxRequestsPerSecond = int.MaxValue, MaxRequestBurst = int.MaxValue }));
        _sync = BenchMessages.Sync(CallbackId);
        _callbackDoneAndDeleteId = BenchMessages.CallbackDoneAndDeleteId(CallbackId);
        _regionCreateAddDestroy = BenchMessages.RegionCreateAddDestroy(CompositorId, RegionId);
    }

    /// <summary>The request one way, its two events the other.</summary>
    [Benchmark]
    public int SyncRoundTrip()
    {
        if (_filter.FilterRequests(_sync, out var toCompositor) is { } refused) throw new InvalidOperationException(refused.ToString());
        _callbackDoneAndDeleteId.CopyTo(_received.AsSpan(_filter.HeldEventLength));
        if (_filter.FilterEvents(_received, _callbackDoneAndDeleteId.Length, out int toGuest) is { } violation) throw new InvalidOperationException(violation.ToString());
        return toCompositor.Length + toGuest;
    }

    [Benchmark]
    public int RegionCreateAddDestroy()
    {
        if (_filter.FilterRequests(_regionCreateAddDestroy, out var toCompositor) is { } refused) throw new InvalidOperationException(refused.ToString());
        return toCompositor.Length;
    }
}

using CrossDomain.Host.Device;
using Microsoft.Extensions.Logging;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

/// <summary>The per-command path allocates nothing once warm: a guest's command rate must not drive the GC.</summary>
public sealed class HotPathAllocationTests : IDisposable
{
    internal const int Rounds = 2000;

    private readonly DeviceHarness _harness = new();
    private readonly FakeTimelineContext _context;
    private readonly ReusableReply _reply = new();

    public HotPathAllocationTests()
    {
        // As in production: per-command failures are logged at Debug, which is off.
        _harness.Logger.MinimumLevel = LogLevel.Information;
        _context = _harness.CreateContext(1);
        _context.RecordsCalls = false;
    }

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void An_unfenced_submit_allocates_nothing()
    {
        var request = Submit(1, new byte[64]);
        Assert.Equal(0, AllocatedBytes(() => _harness.Device.HandleControl(request, _reply)));
    }

    [Fact]
    public void A_ring_fenced_submit_held_then_signalled_allocates_nothing()
    {
        var requests = Enumerable.Range(1, 4 * Rounds).Select(fence => Fenced(Submit(1, new byte[64]), (ulong)fence, 0)).ToArray();
        int next = 0;
        long allocated = AllocatedBytes(() =>
        {
            // Two held at a time, then both released by one signal: the real shape of a busy ring.
            _harness.Device.HandleControl(requests[next++], _reply);
            _harness.Device.HandleControl(requests[next++], _reply);
            _context.Signal(0, (ulong)next);
        });
        Assert.Equal(0, allocated);
        Assert.Equal(0, _harness.Device.PendingFenceCount);
    }

    [Fact]
    public void A_failing_command_allocates_nothing()
    {
        var request = Unref(12345);
        Assert.Equal(0, AllocatedBytes(() => _harness.Device.HandleControl(request, _reply)));
    }

    /// <summary>Bytes this thread allocates in <see cref="Rounds"/> rounds, after as many to warm up.</summary>
    internal static long AllocatedBytes(Action round)
    {
        for (int i = 0; i < Rounds; i++) round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++) round();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

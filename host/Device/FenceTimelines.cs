using System.Buffers;
using System.Collections.Concurrent;
using CrossDomain.Host.Metrics;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>
/// Holds the replies of fenced commands until their fences signal (PROTOCOL.md A.9).
/// <para>
/// Ordering: fence ids come from one guest-wide counter, and the guest treats a returned fence as
/// signalling every earlier fence of the same timeline. So when a context signals fence N on a
/// ring, every reply held on that ring with a fence id up to N goes back, in the order the
/// commands arrived; other rings and contexts are untouched, and a held reply never blocks the
/// queue behind it.
/// </para>
/// <para>
/// Threads: everything here runs on the device's loop thread, without locks. A context whose work
/// finishes on another thread signals through a lock-free queue that is drained on the loop; one
/// drain is posted per burst of such signals, not one per signal.
/// </para>
/// </summary>
internal sealed class FenceTimelines
{
    private readonly int _maxHeld;
    private readonly Action<Action> _postToLoop;
    private readonly ILogger _logger;
    private readonly DeviceMetrics? _metrics;
    private readonly ConcurrentQueue<(ContextTimelines Context, byte RingIndex, ulong FenceId)> _signalsFromOtherThreads = new();
    private readonly Action _drainSignalsFromOtherThreads;
    private int _drainPosted;
    private volatile int _loopThreadId;
    private volatile bool _stopped;

    public FenceTimelines(int maxHeld, Action<Action> postToLoop, ILogger logger, DeviceMetrics? metrics)
    {
        _maxHeld = maxHeld;
        _postToLoop = postToLoop;
        _logger = logger;
        _metrics = metrics;
        _drainSignalsFromOtherThreads = DrainSignalsFromOtherThreads;
        LoopThreadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>
    /// The thread that feeds the device its requests; signals from it are handled inline. Volatile
    /// because workers read it to decide whether they are that thread.
    /// </summary>
    public int LoopThreadId
    {
        get => _loopThreadId;
        set => _loopThreadId = value;
    }

    public int HeldCount { get; private set; }

    public bool IsFull => HeldCount >= _maxHeld;

    /// <summary>
    /// Returns <paramref name="reply"/> with <paramref name="response"/> once fence
    /// <paramref name="fenceId"/> on (<paramref name="context"/>, <paramref name="ringIndex"/>) has
    /// signalled: now, if it already has.
    /// </summary>
    /// <param name="arrivedAt">When the command arrived, for the fence latency metric (see <see cref="DeviceMetrics.FencedCommandArrived"/>).</param>
    public void Hold(ContextTimelines context, byte ringIndex, ulong fenceId, long arrivedAt, PendingReply reply, ReadOnlySpan<byte> response)
    {
        var ring = context.Ring(ringIndex);
        if (context.IsClosed || fenceId <= ring.LastSignaled)
        {
            _metrics?.FenceReturned(arrivedAt);
            reply.Complete(response);
            return;
        }
        byte[] copy = ArrayPool<byte>.Shared.Rent(response.Length);
        response.CopyTo(copy);
        ring.Held.Add(new HeldReply(reply, fenceId, arrivedAt, copy, response.Length));
        HeldCount++;
    }

    public void Signal(ContextTimelines context, byte ringIndex, ulong fenceId)
    {
        // Once stopped, the loop may be gone too: posting to it could fail on the worker's thread.
        if (_stopped) return;
        if (Environment.CurrentManagedThreadId == LoopThreadId)
        {
            SignalOnLoop(context, ringIndex, fenceId);
            return;
        }
        _signalsFromOtherThreads.Enqueue((context, ringIndex, fenceId));
        if (Interlocked.Exchange(ref _drainPosted, 1) == 0) _postToLoop(_drainSignalsFromOtherThreads);
    }

    /// <summary>CTX_DESTROY: every reply still held for the context goes back now, ring by ring in order.</summary>
    public void Close(ContextTimelines context)
    {
        context.IsClosed = true;
        foreach (var ring in context.StartedRings()) CompleteUpTo(ring, ulong.MaxValue);
    }

    /// <summary>The device is going away: signals still in flight from other threads are dropped.</summary>
    public void Stop() => _stopped = true;

    private void SignalOnLoop(ContextTimelines context, byte ringIndex, ulong fenceId)
    {
        if (_stopped || context.IsClosed) return;
        if (ringIndex > VirtioGpuLimits.MaxRingIndex)
        {
            DeviceLog.FenceOnInvalidRing(_logger, context.ContextId, ringIndex, fenceId);
            return;
        }
        var ring = context.Ring(ringIndex);
        if (fenceId > ring.LastSignaled) ring.LastSignaled = fenceId;
        CompleteUpTo(ring, fenceId);
    }

    private void CompleteUpTo(RingTimeline ring, ulong fenceId)
    {
        var held = ring.Held;
        int kept = 0;
        for (int i = 0; i < held.Count; i++)
        {
            var waiting = held[i];
            if (waiting.FenceId > fenceId)
            {
                held[kept++] = waiting;
                continue;
            }
            HeldCount--;
            _metrics?.FenceReturned(waiting.ArrivedAt);
            waiting.Reply.Complete(waiting.Response.AsSpan(0, waiting.Length));
            ArrayPool<byte>.Shared.Return(waiting.Response);
        }
        held.RemoveRange(kept, held.Count - kept);
    }

    private void DrainSignalsFromOtherThreads()
    {
        // Cleared before draining: a signal queued from now on posts a new drain instead of being
        // left behind by this one.
        Volatile.Write(ref _drainPosted, 0);
        while (_signalsFromOtherThreads.TryDequeue(out var signal))
            SignalOnLoop(signal.Context, signal.RingIndex, signal.FenceId);
    }
}

/// <summary>The fence timelines of one context, one per ring index, made on first use.</summary>
internal sealed class ContextTimelines
{
    private readonly RingTimeline?[] _rings = new RingTimeline?[VirtioGpuLimits.MaxRingIndex + 1];

    public ContextTimelines(uint contextId) => ContextId = contextId;

    public uint ContextId { get; }

    /// <summary>Set when the context is destroyed: later signals from its workers are ignored.</summary>
    public bool IsClosed { get; set; }

    /// <param name="ringIndex">At most <see cref="VirtioGpuLimits.MaxRingIndex"/>; callers check.</param>
    public RingTimeline Ring(byte ringIndex) => _rings[ringIndex] ??= new RingTimeline();

    public IEnumerable<RingTimeline> StartedRings()
    {
        foreach (var ring in _rings)
        {
            if (ring is not null) yield return ring;
        }
    }
}

/// <summary>One fence timeline (context, ring index): the replies waiting on it, in arrival order.</summary>
internal sealed class RingTimeline
{
    /// <summary>
    /// The highest fence id the context has signalled on this ring. A fence at or below it is
    /// already complete, so its reply is sent at once rather than held.
    /// </summary>
    public ulong LastSignaled { get; set; }

    public List<HeldReply> Held { get; } = [];
}

/// <summary>
/// A fenced command's reply, encoded when the command ran and kept until its fence signals. The
/// bytes live in a pooled array so holding a reply allocates nothing once the pool is warm.
/// </summary>
/// <param name="ArrivedAt">When the command arrived, for the fence latency metric; 0 when not measured.</param>
internal readonly record struct HeldReply(PendingReply Reply, ulong FenceId, long ArrivedAt, byte[] Response, int Length);

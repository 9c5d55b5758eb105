using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class FenceTests : IDisposable
{
    private const uint ContextId = 1;

    /// <summary>
    /// A loop turn that drains posted signals runs two callbacks: the loop's eventfd wake-up and
    /// the drain. A drain posted per signal instead of per burst would make it three or more.
    /// </summary>
    private const int LoopWakeUpAndOneDrain = 2;

    private readonly DeviceHarness _harness = new();
    private readonly FakeTimelineContext _context;
    private readonly List<ulong> _completionOrder = [];

    public FenceTests() => _context = _harness.CreateContext(ContextId);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void A_fence_without_a_ring_is_global_and_completes_with_its_command()
    {
        var reply = SendFenced(Submit(ContextId, [1]), 7, ring: null);
        Assert.True(reply.IsCompleted);
        Assert.Empty(_context.FencesCreated);
        Assert.Equal(0, _harness.Device.PendingFenceCount);
    }

    [Fact]
    public void A_ring_fence_holds_the_reply_after_running_the_command_until_the_context_signals()
    {
        var reply = SendFenced(Submit(ContextId, [1]), 7, ring: 0);

        Assert.False(reply.IsCompleted);
        Assert.Single(_context.Submissions);
        Assert.Equal([((byte)0, 7ul)], _context.FencesCreated);
        Assert.Equal(1, _harness.Device.PendingFenceCount);

        _context.Signal(0, 7);

        Assert.Equal(1, reply.CompletionCount);
        Assert.Equal(CommandType.OkNoData, reply.Type);
        Assert.Equal(7ul, reply.Header.FenceId);
        Assert.Equal(0, _harness.Device.PendingFenceCount);
    }

    [Fact]
    public void Signalling_fence_n_completes_every_earlier_reply_on_the_ring_in_order()
    {
        var first = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        var second = SendFenced(Submit(ContextId, [2]), 2, ring: 0);
        var third = SendFenced(Submit(ContextId, [3]), 3, ring: 0);

        _context.Signal(0, 2);
        Assert.Equal([1ul, 2ul], _completionOrder);
        Assert.False(third.IsCompleted);

        _context.Signal(0, 3);
        Assert.Equal([1ul, 2ul, 3ul], _completionOrder);
        Assert.All([first, second, third], reply => Assert.Equal(1, reply.CompletionCount));
    }

    [Fact]
    public void Rings_are_independent_timelines()
    {
        var onRing0 = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        var onRing1 = SendFenced(Submit(ContextId, [2]), 2, ring: 1);
        var onRing63 = SendFenced(Submit(ContextId, [3]), 3, ring: 63);

        _context.Signal(1, 2);
        Assert.Equal((false, true, false), (onRing0.IsCompleted, onRing1.IsCompleted, onRing63.IsCompleted));

        _context.Signal(63, 100);
        Assert.Equal((false, true, true), (onRing0.IsCompleted, onRing1.IsCompleted, onRing63.IsCompleted));
    }

    [Fact]
    public void Contexts_are_independent_timelines()
    {
        var other = _harness.CreateContext(2);
        var mine = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        var theirs = SendFenced(Submit(2, [1]), 2, ring: 0);

        other.Signal(0, 5);

        Assert.False(mine.IsCompleted);
        Assert.True(theirs.IsCompleted);
    }

    [Fact]
    public void The_queue_keeps_being_served_while_a_reply_is_held()
    {
        var held = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        _harness.SendOk(GetDisplayInfo(), CommandType.OkDisplayInfo);
        _harness.SendOk(Submit(ContextId, [2]));
        Assert.False(held.IsCompleted);
    }

    [Fact]
    public void A_fence_the_context_signals_inside_create_fence_is_not_held()
    {
        _context.SignalFencesAtOnce = true;
        var reply = SendFenced(Submit(ContextId, [1]), 4, ring: 2);
        Assert.True(reply.IsCompleted);
        Assert.Equal(0, _harness.Device.PendingFenceCount);
    }

    [Fact]
    public void A_fence_at_or_below_the_last_signalled_id_of_its_ring_is_not_held()
    {
        _context.Signal(0, 10);
        Assert.True(SendFenced(Submit(ContextId, [1]), 9, ring: 0).IsCompleted);
        Assert.True(SendFenced(Submit(ContextId, [1]), 10, ring: 0).IsCompleted);
        Assert.False(SendFenced(Submit(ContextId, [1]), 11, ring: 0).IsCompleted);
        Assert.False(SendFenced(Submit(ContextId, [1]), 5, ring: 1).IsCompleted);
    }

    [Fact]
    public void Ctx_destroy_completes_the_held_replies_and_later_signals_are_ignored()
    {
        var first = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        var second = SendFenced(Submit(ContextId, [2]), 2, ring: 0);
        var onOtherRing = SendFenced(Submit(ContextId, [3]), 3, ring: 5);

        _harness.SendOk(DestroyContext(ContextId));

        Assert.Equal(1, first.CompletionCount);
        Assert.Equal(1, second.CompletionCount);
        Assert.Equal(1, onOtherRing.CompletionCount);
        Assert.Equal([1ul, 2ul, 3ul], _completionOrder);
        Assert.Equal(0, _harness.Device.PendingFenceCount);

        _context.Signal(0, 2);
        Assert.Equal(1, first.CompletionCount);
    }

    [Fact]
    public void Signals_from_another_thread_are_posted_to_the_loop_once_per_burst()
    {
        var first = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        var second = SendFenced(Submit(ContextId, [2]), 2, ring: 1);

        OnAnotherThread(() =>
        {
            _context.Signal(0, 1);
            _context.Signal(1, 2);
        });

        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(LoopWakeUpAndOneDrain, _harness.RunLoopOnce());
        Assert.True(first.IsCompleted);
        Assert.True(second.IsCompleted);

        var third = SendFenced(Submit(ContextId, [3]), 3, ring: 0);
        OnAnotherThread(() => _context.Signal(0, 3));
        Assert.Equal(LoopWakeUpAndOneDrain, _harness.RunLoopOnce());
        Assert.True(third.IsCompleted);
    }

    [Fact]
    public void A_signal_posted_for_a_context_destroyed_meanwhile_is_ignored()
    {
        SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        OnAnotherThread(() => _context.Signal(0, 1));
        _harness.SendOk(DestroyContext(ContextId));
        _harness.RunLoopOnce();
        Assert.Equal([1ul], _completionOrder);
    }

    [Fact]
    public void A_failed_command_on_a_ring_still_waits_for_its_fence()
    {
        _context.SubmitError = GpuError.InvalidParameter;
        var reply = SendFenced(Submit(ContextId, [1]), 1, ring: 0);
        Assert.False(reply.IsCompleted);
        _context.Signal(0, 1);
        Assert.Equal(CommandType.ErrorInvalidParameter, reply.Type);
    }

    [Fact]
    public void A_ring_fence_for_a_context_that_does_not_exist_is_answered_at_once()
    {
        var reply = SendFenced(Submit(9, [1]), 1, ring: 0);
        Assert.True(reply.IsCompleted);
        Assert.Equal(CommandType.ErrorInvalidContextId, reply.Type);
    }

    [Fact]
    public void A_fence_the_context_refuses_is_answered_at_once_with_its_error()
    {
        _context.FenceError = GpuError.InvalidParameter;
        _harness.SendOk(CreateBlob(11, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, ContextId));
        var reply = SendFenced(ForContext(MapBlob(11, 0), ContextId), 3, ring: 0);
        Assert.True(reply.IsCompleted);
        Assert.Equal(CommandType.ErrorInvalidParameter, reply.Type);
        Assert.Equal(24, reply.Response.Length);
        Assert.Equal(3ul, reply.Header.FenceId);
    }

    [Fact]
    public void A_ring_index_above_63_is_refused_before_the_command_runs()
    {
        var reply = SendFenced(Submit(ContextId, [1]), 1, ring: 64);
        Assert.Equal(CommandType.ErrorInvalidParameter, reply.Type);
        Assert.Empty(_context.Submissions);
        Assert.Empty(_context.FencesCreated);
    }

    [Fact]
    public void Replies_with_payloads_are_held_whole()
    {
        var reply = SendFenced(GetDisplayInfo(), 1, ring: 0);
        _context.Signal(0, 1);
        Assert.Equal(408, reply.Response.Length);
        Assert.Equal(1024u, reply.Read<DisplayInfoResponse>().Modes[0].Rect.Width);
    }

    [Fact]
    public void Past_the_pending_fence_limit_a_ring_fenced_command_gets_out_of_memory_and_does_not_run()
    {
        using var harness = new DeviceHarness(new DeviceLimits { MaxPendingFences = 2 });
        var context = harness.CreateContext(1);
        var first = harness.Send(Fenced(Submit(1, [1]), 1, 0));
        harness.Send(Fenced(Submit(1, [2]), 2, 0));

        var third = harness.Send(Fenced(Submit(1, [3]), 3, 0));

        Assert.Equal(CommandType.ErrorOutOfMemory, third.Type);
        Assert.Equal(2, context.Submissions.Count);
        context.Signal(0, 1);
        Assert.True(first.IsCompleted);
        Assert.False(harness.Send(Fenced(Submit(1, [4]), 4, 0)).IsCompleted);
    }

    /// <summary>Runs <paramref name="action"/> on a thread that is not the device's loop (this test's thread) and waits.</summary>
    private static void OnAnotherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }

    private RecordingReply SendFenced(byte[] request, ulong fenceId, byte? ring)
    {
        var reply = new RecordingReply(onComplete: completed => _completionOrder.Add(completed.Header.FenceId));
        _harness.Device.HandleControl(Fenced(request, fenceId, ring), reply);
        return reply;
    }
}

using CrossDomain.Interop;

namespace CrossDomain.Tests.Interop;

public sealed class EventLoopTests
{
    [Fact]
    public void A_stop_that_comes_before_run_is_not_lost()
    {
        using var loop = new EventLoop();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        loop.Run(cancelled.Token);
        loop.Stop();
        loop.Run();
    }

    [Fact]
    public void A_readable_fd_runs_its_callback_until_the_watch_is_disposed()
    {
        using var loop = new EventLoop();
        using var eventFd = EventFd.Create();
        int calls = 0;
        var watch = loop.Watch(eventFd.Handle, Readiness.Readable, readiness =>
        {
            Assert.True(readiness.HasFlag(Readiness.Readable));
            eventFd.Consume();
            calls++;
        });
        Assert.Equal(0, loop.RunOnce(0));
        eventFd.Signal();
        Assert.Equal(1, loop.RunOnce(1000));
        Assert.Equal(1, calls);
        watch.Dispose();
        eventFd.Signal();
        Assert.Equal(0, loop.RunOnce(0));
        Assert.Equal(1, calls);
        Assert.Equal(0, loop.WatchCount);
    }

    [Fact]
    public void Writable_interest_can_be_switched_on_and_off()
    {
        using var loop = new EventLoop();
        var (a, b) = UnixSocket.CreatePair();
        using (a)
        using (b)
        {
            var seen = Readiness.None;
            using var watch = loop.Watch(a.Handle, Readiness.Readable, r => seen |= r);
            Assert.Equal(0, loop.RunOnce(0));
            watch.Change(Readiness.Readable | Readiness.Writable);
            Assert.Equal(1, loop.RunOnce(1000));
            Assert.True(seen.HasFlag(Readiness.Writable));
        }
    }

    [Fact]
    public void A_peer_closing_reports_hang_up()
    {
        using var loop = new EventLoop();
        var (a, b) = UnixSocket.CreatePair();
        using (a)
        {
            var seen = Readiness.None;
            using var watch = loop.Watch(a.Handle, Readiness.Readable | Readiness.PeerClosed, r => seen |= r);
            b.Dispose();
            loop.RunOnce(1000);
            Assert.True(seen.HasFlag(Readiness.PeerClosed) || seen.HasFlag(Readiness.HangUp));
        }
    }

    [Fact]
    public void Timers_fire_in_deadline_order_and_cancelled_ones_never_fire()
    {
        using var loop = new EventLoop();
        var fired = new List<string>();
        loop.AddTimer(TimeSpan.FromMilliseconds(30), () => fired.Add("late"));
        loop.AddTimer(TimeSpan.FromMilliseconds(10), () => fired.Add("early"));
        var cancelled = loop.AddTimer(TimeSpan.FromMilliseconds(20), () => fired.Add("cancelled"));
        cancelled.Dispose();
        while (fired.Count < 2) loop.RunOnce(-1);
        Assert.Equal(["early", "late"], fired);
    }

    [Fact]
    public void Work_posted_from_another_thread_runs_on_the_loop_thread()
    {
        using var loop = new EventLoop();
        int loopThread = 0, ranOn = -1;
        var runner = new Thread(() =>
        {
            loopThread = Environment.CurrentManagedThreadId;
            loop.Run();
        });
        runner.Start();
        using var done = new ManualResetEventSlim();
        loop.Post(() =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            done.Set();
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)));
        loop.Stop();
        Assert.True(runner.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(loopThread, ranOn);
    }

    [Fact]
    public void Work_posted_by_posted_work_waits_for_the_next_turn()
    {
        using var loop = new EventLoop();
        int runs = 0;
        // Bounded, so that a loop that drains it all in one turn fails the test instead of hanging it.
        void Again()
        {
            if (++runs < 100) loop.Post(Again);
        }
        loop.Post(Again);
        loop.RunOnce(0);
        Assert.Equal(1, runs);
        loop.RunOnce(0);
        Assert.Equal(2, runs);
    }

    [Fact]
    public void A_callback_may_dispose_another_watch_ready_in_the_same_batch()
    {
        using var loop = new EventLoop();
        using var first = EventFd.Create();
        using var second = EventFd.Create();
        FdWatch? secondWatch = null;
        int secondCalls = 0;
        using var firstWatch = loop.Watch(first.Handle, Readiness.Readable, _ =>
        {
            first.Consume();
            secondWatch?.Dispose();
        });
        secondWatch = loop.Watch(second.Handle, Readiness.Readable, _ => secondCalls++);
        first.Signal();
        second.Signal();
        loop.RunOnce(1000);
        loop.RunOnce(0);
        // Whichever ran first, the second callback ran at most once and never after its disposal.
        Assert.InRange(secondCalls, 0, 1);
        second.Signal();
        loop.RunOnce(0);
        Assert.InRange(secondCalls, 0, 1);
    }
}

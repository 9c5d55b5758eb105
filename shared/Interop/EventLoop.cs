using System.Collections.Concurrent;
using System.Diagnostics;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

[Flags]
public enum Readiness
{
    None = 0,
    Readable = 0x001,   // EPOLLIN
    Writable = 0x004,   // EPOLLOUT
    Error = 0x008,      // EPOLLERR
    HangUp = 0x010,     // EPOLLHUP
    PeerClosed = 0x2000, // EPOLLRDHUP
}

/// <summary>
/// One thread's epoll loop: fd readiness callbacks, one-shot timers, and <see cref="Post"/> to hand
/// work to the loop from other threads. Everything but <see cref="Post"/>, <see cref="Wake"/> and
/// <see cref="Stop"/> must be called on the loop's thread (or before it runs); callbacks run there,
/// so the objects they touch need no locks.
/// </summary>
public sealed unsafe class EventLoop : IDisposable
{
    private const int MaxEventsPerWait = 64;

    private readonly FileDescriptor _epoll;
    private readonly EventFd _wakeUp;
    private readonly Dictionary<ulong, FdWatch> _watches = [];
    private readonly PriorityQueue<LoopTimer, long> _timers = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ulong _nextKey = 1;
    private volatile bool _stopRequested;

    public EventLoop()
    {
        int fd = epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) throw Errno.Exception("epoll_create1");
        _epoll = new FileDescriptor(fd);
        _wakeUp = EventFd.Create();
        Watch(_wakeUp.Handle, Readiness.Readable, _ => _wakeUp.Consume());
    }

    /// <summary>How many fds are watched, the loop's own wake-up fd excluded.</summary>
    internal int WatchCount => _watches.Count - 1;

    public long NowMilliseconds => _clock.ElapsedMilliseconds;

    /// <summary>
    /// Called with what a callback (fd, timer or posted work) threw, and the loop goes on. Unset,
    /// the exception leaves <see cref="Run"/>. A service sets it so that a bug in one handler
    /// ends what that handler served, not the process.
    /// </summary>
    public Action<Exception>? CallbackFailed { get; set; }

    /// <summary>Calls <paramref name="callback"/> on the loop with the readiness seen, until the watch is disposed.</summary>
    public FdWatch Watch(FileDescriptor fd, Readiness interest, Action<Readiness> callback)
    {
        var watch = new FdWatch(this, fd, _nextKey++, interest, callback);
        // The watch keeps the fd open until it is disposed: epoll forgets an fd only when the last
        // reference to its open file goes, and a file shared with a peer (a kick eventfd, a socket
        // passed over SCM_RIGHTS) would otherwise stay in the set under a number we no longer own.
        bool added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            Control(EPOLL_CTL_ADD, watch, interest);
        }
        catch
        {
            fd.DangerousRelease();
            throw;
        }
        _watches.Add(watch.Key, watch);
        return watch;
    }

    /// <summary>Runs <paramref name="callback"/> once on the loop after <paramref name="delay"/>.</summary>
    public LoopTimer AddTimer(TimeSpan delay, Action callback)
    {
        var timer = new LoopTimer(callback);
        _timers.Enqueue(timer, NowMilliseconds + (long)Math.Ceiling(Math.Max(0, delay.TotalMilliseconds)));
        return timer;
    }

    /// <summary>Queues work for the loop's thread; safe from any thread.</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        _wakeUp.Signal();
    }

    public void Wake() => _wakeUp.Signal();

    /// <summary>Makes <see cref="Run"/> return after the current iteration; safe from any thread.</summary>
    public void Stop()
    {
        _stopRequested = true;
        _wakeUp.Signal();
    }

    public void Run(CancellationToken cancellationToken = default)
    {
        // Registering may call Stop at once (a cancelled token): the flag is reset only after Run
        // returns, so a stop that came first is not lost.
        using var registration = cancellationToken.Register(Stop);
        while (!_stopRequested) RunOnce(-1);
        _stopRequested = false;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (-1: until something happens, bounded by the
    /// next timer), then runs what is ready: fd callbacks, due timers, posted work.
    /// Returns how many callbacks ran.
    /// </summary>
    public int RunOnce(int timeoutMilliseconds = 0)
    {
        int timeout = ClampToNextTimer(timeoutMilliseconds);
        epoll_event* events = stackalloc epoll_event[MaxEventsPerWait];
        int count = epoll_wait(_epoll.Fd, events, MaxEventsPerWait, timeout);
        if (count < 0)
        {
            if (Errno.Last != EINTR) throw Errno.Exception("epoll_wait");
            count = 0;
        }

        int ran = 0;
        for (int i = 0; i < count; i++)
        {
            // A callback earlier in this batch may have disposed this watch; skip it then.
            if (_watches.TryGetValue(events[i].data.u64, out var watch))
            {
                Invoke(watch.Callback, (Readiness)events[i].events);
                ran++;
            }
        }
        ran += RunDueTimers();
        // Only what was posted before this turn: work that posts more of itself (a device taking a
        // busy ring in slices) must not keep the loop from its fds; the wake-up brings it back at once.
        // IsEmpty first: Count walks the queue's segments, and most turns have nothing posted.
        for (int pending = _posted.IsEmpty ? 0 : _posted.Count; pending > 0 && _posted.TryDequeue(out var action); pending--)
        {
            Invoke(static run => run(), action);
            ran++;
        }
        return ran;
    }

    private void Invoke<T>(Action<T> callback, T argument)
    {
        try
        {
            callback(argument);
        }
        catch (Exception exception) when (CallbackFailed is { } handler && exception is not OutOfMemoryException)
        {
            handler(exception);
        }
    }

    public void Dispose()
    {
        foreach (var watch in _watches.Values.ToArray()) watch.Dispose();
        _wakeUp.Dispose();
        _epoll.Dispose();
    }

    /// <summary>How many times a watch's interest changed (one epoll_ctl each), for the tests that hold a path to none.</summary>
    internal long InterestChanges { get; private set; }

    internal void Modify(FdWatch watch, Readiness interest)
    {
        InterestChanges++;
        Control(EPOLL_CTL_MOD, watch, interest);
    }

    internal void Remove(FdWatch watch)
    {
        if (!_watches.Remove(watch.Key)) return;
        epoll_event unused = default;
        epoll_ctl(_epoll.Fd, EPOLL_CTL_DEL, watch.Fd.Fd, &unused);
        watch.Fd.DangerousRelease();
    }

    private void Control(int operation, FdWatch watch, Readiness interest)
    {
        var ev = new epoll_event { events = (int)interest, data = new epoll_data_t { u64 = watch.Key } };
        if (epoll_ctl(_epoll.Fd, operation, watch.Fd.Fd, &ev) != 0) throw Errno.Exception("epoll_ctl");
    }

    private int ClampToNextTimer(int timeout)
    {
        while (_timers.TryPeek(out var timer, out long deadline))
        {
            if (timer.IsCancelled)
            {
                _timers.Dequeue();
                continue;
            }
            long untilDue = Math.Max(0, deadline - NowMilliseconds);
            return timeout < 0 ? (int)Math.Min(untilDue, int.MaxValue) : (int)Math.Min(untilDue, timeout);
        }
        return timeout;
    }

    private int RunDueTimers()
    {
        int ran = 0;
        long now = NowMilliseconds;
        while (_timers.TryPeek(out var timer, out long deadline) && deadline <= now)
        {
            _timers.Dequeue();
            if (timer.IsCancelled) continue;
            Invoke(static due => due.Fire(), timer);
            ran++;
        }
        return ran;
    }
}

/// <summary>A registration of an fd with an <see cref="EventLoop"/>; dispose to stop watching.</summary>
public sealed class FdWatch : IDisposable
{
    private readonly EventLoop _loop;

    internal FdWatch(EventLoop loop, FileDescriptor fd, ulong key, Readiness interest, Action<Readiness> callback)
    {
        _loop = loop;
        Fd = fd;
        Key = key;
        Interest = interest;
        Callback = callback;
    }

    public FileDescriptor Fd { get; }

    public Readiness Interest { get; private set; }

    internal ulong Key { get; }

    internal Action<Readiness> Callback { get; }

    /// <summary>Changes what to wait for, e.g. adds <see cref="Readiness.Writable"/> while output is queued.</summary>
    public void Change(Readiness interest)
    {
        if (interest == Interest) return;
        _loop.Modify(this, interest);
        Interest = interest;
    }

    public void Dispose() => _loop.Remove(this);
}

/// <summary>A one-shot timer on an <see cref="EventLoop"/>.</summary>
public sealed class LoopTimer : IDisposable
{
    private Action? _callback;

    internal LoopTimer(Action callback) => _callback = callback;

    public bool IsCancelled => _callback is null;

    public void Dispose() => _callback = null;

    internal void Fire()
    {
        var callback = _callback;
        _callback = null;
        callback?.Invoke();
    }
}

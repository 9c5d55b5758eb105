using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// The back-end's event loop on a thread of its own, as the host service runs it, while the test
/// thread plays the front-end (which blocks). Sessions are created, inspected and disposed on
/// the loop thread through <see cref="Invoke{T}"/>.
/// </summary>
internal sealed class BackendLoop : IDisposable
{
    private static readonly TimeSpan InvokeTimeout = TimeSpan.FromSeconds(20);

    private readonly Thread _thread;
    private readonly List<VhostUserBackendSession> _sessions = [];

    public BackendLoop()
    {
        Loop = new EventLoop();
        _thread = new Thread(() => Loop.Run()) { IsBackground = true, Name = "vhost-user back-end loop" };
        _thread.Start();
    }

    public EventLoop Loop { get; }

    public VhostUserBackendSession StartSession(UnixSocket connection, VhostUserBackendOptions? options = null,
        Func<RecordingDevice, RecordingDevice>? configure = null, ILogger? logger = null) =>
        Invoke(() =>
        {
            var session = new VhostUserBackendSession(connection, Loop,
                window => configure?.Invoke(new RecordingDevice(window)) ?? new RecordingDevice(window), options, logger);
            _sessions.Add(session);
            return session;
        });

    public T Invoke<T>(Func<T> action) => Start(action).WaitAsync(InvokeTimeout).GetAwaiter().GetResult();

    public void Invoke(Action action) => Invoke(() =>
    {
        action();
        return true;
    });

    /// <summary>Runs <paramref name="action"/> on the loop without waiting for it (it may wait for the test thread).</summary>
    public Task<T> Start<T>(Func<T> action) => StartOn(Loop, action);

    /// <summary>Runs <paramref name="action"/> on <paramref name="loop"/>, e.g. a server session's own loop.</summary>
    public static Task<T> StartOn<T>(EventLoop loop, Func<T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        loop.Post(() =>
        {
            try
            {
                completion.SetResult(action());
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
        });
        return completion.Task;
    }

    /// <summary>The result of work started with <see cref="Start{T}"/>, once the loop has done it.</summary>
    public static T Await<T>(Task<T> pending) => pending.WaitAsync(InvokeTimeout).GetAwaiter().GetResult();

    /// <summary>Polls <paramref name="condition"/> on the loop thread until it holds or time runs out.</summary>
    public bool WaitUntil(Func<bool> condition, int timeoutMilliseconds = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMilliseconds);
        while (true)
        {
            if (Invoke(condition)) return true;
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(2);
        }
    }

    public void Dispose()
    {
        Invoke(() =>
        {
            foreach (var session in _sessions) session.Dispose();
            _sessions.Clear();
        });
        Loop.Stop();
        _thread.Join();
        Loop.Dispose();
    }
}

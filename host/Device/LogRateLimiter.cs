using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>
/// One device's allowance of log lines at Information and above, for each kind of line (its event
/// id). A guest can cause most of those lines as fast as it sends commands, and every VM on the
/// host writes to the same log, so a kind gets <see cref="LinesPerWindow"/> lines in each
/// <see cref="Window"/>; the rest are only counted, and the first line of that kind written after
/// the window is preceded by one that says how many were left out.
/// </summary>
public sealed class LogRateLimiter(TimeProvider time)
{
    public const int LinesPerWindow = 10;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly Dictionary<int, Allowance> _kinds = [];

    /// <summary>Contexts may log from renderer threads as well as the device loop.</summary>
    private readonly Lock _lock = new();

    /// <summary><paramref name="logger"/>, with its lines at Information and above counted against this device's allowance.</summary>
    public ILogger Limit(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return new RateLimitedLogger(logger, this);
    }

    /// <summary>
    /// Whether a line of <paramref name="eventId"/>'s kind may be written now; if so,
    /// <paramref name="suppressed"/> says how many of its kind were left out before it.
    /// </summary>
    internal bool TryAdmit(EventId eventId, out int suppressed)
    {
        long now = time.GetTimestamp();
        lock (_lock)
        {
            ref var allowance = ref CollectionsMarshal.GetValueRefOrAddDefault(_kinds, eventId.Id, out bool seen);
            if (!seen || time.GetElapsedTime(allowance.WindowStart, now) >= Window)
            {
                suppressed = allowance.Suppressed;
                allowance = new Allowance { WindowStart = now, Written = 1 };
                return true;
            }
            suppressed = 0;
            if (allowance.Written < LinesPerWindow)
            {
                allowance.Written++;
                return true;
            }
            allowance.Suppressed++;
            return false;
        }
    }

    private struct Allowance
    {
        public long WindowStart;
        public int Written;
        public int Suppressed;
    }
}

/// <summary>
/// A logger whose lines at Information and above go through a device's <see cref="LogRateLimiter"/>.
/// Debug and Trace pass untouched: they are off in a service, and whoever turns them on asked for
/// every line.
/// </summary>
internal sealed class RateLimitedLogger(ILogger inner, LogRateLimiter limiter) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (logLevel is >= LogLevel.Information and < LogLevel.None)
        {
            // Only lines that would be written use up the allowance.
            if (!inner.IsEnabled(logLevel) || !limiter.TryAdmit(eventId, out int suppressed)) return;
            if (suppressed > 0)
                DeviceLog.LinesSuppressed(inner, logLevel, suppressed, eventId.Id, eventId.Name, LogRateLimiter.LinesPerWindow);
        }
        inner.Log(logLevel, eventId, state, exception, formatter);
    }
}

using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

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

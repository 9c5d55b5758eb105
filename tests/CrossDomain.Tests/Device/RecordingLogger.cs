using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.Device;

/// <summary>Keeps what the device logged, so tests can tell an expected error reply from an exception it swallowed.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

    public IEnumerable<string> Errors =>
        Entries.Where(entry => entry.Level >= LogLevel.Error).Select(entry => $"{entry.Message}: {entry.Exception}");

    /// <summary>Below this nothing is enabled; Trace (everything) unless a test says otherwise.</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Trace;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (Entries) Entries.Add((logLevel, formatter(state, exception), exception));
    }
}

using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.Device;

/// <summary>Keeps what the device logged, so tests can tell an expected error reply from an exception it swallowed.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<RecordedLogEntry> Entries { get; } = [];

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
        // The source-generated messages' state is their named values: tests read a typed refusal from it.
        var values = state is IEnumerable<KeyValuePair<string, object?>> named ? named.ToArray() : [];
        lock (Entries) Entries.Add(new RecordedLogEntry(logLevel, formatter(state, exception), exception, eventId, values));
    }
}

/// <summary>One logged line, with the values its message template named.</summary>
internal sealed record RecordedLogEntry(LogLevel Level, string Message, Exception? Exception, EventId EventId,
    IReadOnlyList<KeyValuePair<string, object?>> Values)
{
    /// <summary>The value the template named <paramref name="name"/>, or null when it has none.</summary>
    public object? Value(string name) => Values.FirstOrDefault(value => value.Key == name).Value;
}

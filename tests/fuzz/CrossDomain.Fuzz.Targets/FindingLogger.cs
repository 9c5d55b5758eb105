using Microsoft.Extensions.Logging;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// The device answers an exception inside a command with an error reply and an Error log; for a
/// fuzzer that is a crash it would otherwise never see, so errors are kept and turned into one.
/// Lower levels are disabled so that message formatting does not dominate an execution.
/// </summary>
public sealed class FindingLogger : ILogger
{
    private readonly List<string> _errors = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_errors) _errors.Add($"{formatter(state, exception)}: {exception}");
    }

    public void ThrowIfErrors()
    {
        lock (_errors)
        {
            if (_errors.Count > 0) throw new FuzzFindingException("the code logged an error: " + string.Join(Environment.NewLine, _errors));
        }
    }
}

using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Service;

/// <summary>The service's and run's log messages.</summary>
internal static partial class ProxyServiceLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening on {Socket}")]
    public static partial void Listening(ILogger logger, string socket);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Started {App} (pid {ProcessId}) with WAYLAND_DISPLAY={Socket}")]
    public static partial void Started(ILogger logger, string app, int processId, string socket);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "{App} exited with code {ExitCode}")]
    public static partial void Exited(ILogger logger, string app, int exitCode);
}

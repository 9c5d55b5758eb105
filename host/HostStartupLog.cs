using Microsoft.Extensions.Logging;

namespace CrossDomain.Host;

/// <summary>Startup messages of the host service, source-generated so logging them allocates nothing when filtered out.</summary>
internal static partial class HostStartupLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Settings: socket {Socket}, Wayland display {WaylandDisplay}, log level {MinimumLevel}")]
    public static partial void Settings(ILogger logger, string socket, string waylandDisplay, string? minimumLevel);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Open fd limit: {Soft} (hard limit {Hard})")]
    public static partial void FdLimit(ILogger logger, ulong soft, ulong hard);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The open fd limit cannot be read (getrlimit failed)")]
    public static partial void FdLimitUnknown(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "No compositor socket at {Path} yet: cross-domain contexts fail to start until one listens there")]
    public static partial void CompositorMissing(ILogger logger, string path);
}

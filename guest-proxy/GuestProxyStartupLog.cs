using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy;

/// <summary>Startup messages of the guest proxy, source-generated so logging them allocates nothing when filtered out.</summary>
internal static partial class GuestProxyStartupLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Settings: transport kernel, device {Device}, Wayland socket {WaylandSocket}, log level {MinimumLevel}")]
    public static partial void KernelSettings(ILogger logger, string device, string waylandSocket, string? minimumLevel);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Settings: transport local, host socket {HostSocket}, Wayland socket {WaylandSocket}, log level {MinimumLevel}")]
    public static partial void LocalSettings(ILogger logger, string? hostSocket, string waylandSocket, string? minimumLevel);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Settings: run {App} with {AppArgumentCount} arguments, host socket {HostSocket}, log level {MinimumLevel}")]
    public static partial void RunSettings(ILogger logger, string app, int appArgumentCount, string? hostSocket, string? minimumLevel);
}

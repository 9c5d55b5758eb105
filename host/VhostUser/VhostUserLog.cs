using CrossDomain.VirtioGpu.VhostUser;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.VhostUser;

/// <summary>vhost-user session events, source-generated so filtered-out messages cost nothing.</summary>
internal static partial class VhostUserLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "vhost-user session {Session} started")]
    public static partial void SessionStarted(ILogger logger, int session);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "vhost-user session {Session} ended: {End}")]
    public static partial void SessionEnded(ILogger logger, int session, VhostUserSessionEnd end);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "vhost-user session {Session}: {Request} refused ({Refusal})")]
    public static partial void RequestRefused(ILogger logger, int session, string request, VhostUserRefusal refusal);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "vhost-user session {Session}: the device failed")]
    public static partial void DeviceFault(ILogger logger, int session, Exception exception);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning,
        Message = "vhost-user session {Session}: back-end channel given up at {Request} ({Error}); nothing more can be mapped")]
    public static partial void BackendChannelGivenUp(ILogger logger, int session, BackendRequest request, ChannelError error);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "vhost-user connection refused: the device could not be created")]
    public static partial void SessionRefused(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error,
        Message = "vhost-user: cannot accept a connection ({Why}); accepting again shortly")]
    public static partial void AcceptFailed(ILogger logger, string why);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error,
        Message = "vhost-user connection refused: fewer than {Headroom} fds left in this process")]
    public static partial void SessionRefusedNoFds(ILogger logger, int headroom);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "vhost-user session {Session}: {Request}")]
    public static partial void Request(ILogger logger, int session, string request);
}

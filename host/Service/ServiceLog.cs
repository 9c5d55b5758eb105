using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Service;

internal static partial class ServiceLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening on {Socket} (capsets: {Capsets})")]
    public static partial void Listening(ILogger logger, string socket, string capsets);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "The listener's loop caught a fault; it goes on")]
    public static partial void LoopFault(ILogger logger, Exception exception);
}

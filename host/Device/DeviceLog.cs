using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>
/// The device core's log messages, source-generated so that the per-command ones cost nothing when
/// their level is off: a guest can send failing commands as fast as it likes.
/// </summary>
internal static partial class DeviceLog
{
    // One line per command, so that a test (or someone debugging a guest) can see the traffic a real
    // guest driver sends; off unless the level is debug.
    [LoggerMessage(EventId = 99, Level = LogLevel.Debug, Message = "Command {Command} (context {ContextId})")]
    public static partial void CommandReceived(ILogger logger, CommandType command, uint contextId);

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Command {Command} (context {ContextId}) failed: {Error}, refused: {Reason}")]
    public static partial void CommandFailed(ILogger logger, CommandType command, uint contextId, CommandType error, DeviceRefusal reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Command {Command} is not supported by this device")]
    public static partial void CommandNotSupported(ILogger logger, CommandType command);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Command {Command} (context {ContextId}) threw; the guest gets ERR_UNSPEC")]
    public static partial void CommandThrew(ILogger logger, Exception exception, CommandType command, uint contextId);

    /// <remarks><paramref name="debugName"/> is the guest's: pass it through <see cref="LogText.Escape"/>.</remarks>
    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Context {ContextId} created: {CapsetId} for \"{DebugName}\"")]
    public static partial void ContextCreated(ILogger logger, uint contextId, CapsetId capsetId, string debugName);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Context {ContextId} destroyed")]
    public static partial void ContextDestroyed(ILogger logger, uint contextId);

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Context {ContextId} signalled fence {FenceId} on ring {RingIndex}, which does not exist; ignored")]
    public static partial void FenceOnInvalidRing(ILogger logger, uint contextId, byte ringIndex, ulong fenceId);

    [LoggerMessage(EventId = 130, Level = LogLevel.Warning, Message = "Mapping blob {ResourceId} at window offset {Offset:x} (+{Length:x}) failed")]
    public static partial void MapFailed(ILogger logger, uint resourceId, ulong offset, ulong length);

    [LoggerMessage(EventId = 131, Level = LogLevel.Warning, Message = "Unmapping blob {ResourceId} at window offset {Offset:x} (+{Length:x}) failed")]
    public static partial void UnmapFailed(ILogger logger, uint resourceId, ulong offset, ulong length);

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "Context {ContextId} made blob {ResourceId} without valid host memory")]
    public static partial void ContextMadeInvalidBlob(ILogger logger, uint contextId, uint resourceId);

    // Debug: each refusal is the guest's doing, and it may make them as fast as it likes.
    [LoggerMessage(EventId = 133, Level = LogLevel.Debug, Message = "Command {Command} (context {ContextId}) refused: the device already holds its {Limit} host fds for the guest")]
    public static partial void OutOfHostFds(ILogger logger, CommandType command, uint contextId, int limit);

    [LoggerMessage(EventId = 140, Message = "Left out {Count} lines of event {SuppressedEventId} ({SuppressedEventName}) from this device: at most {Limit} a second are logged")]
    public static partial void LinesSuppressed(ILogger logger, LogLevel level, int count, int suppressedEventId, string? suppressedEventName, int limit);
}

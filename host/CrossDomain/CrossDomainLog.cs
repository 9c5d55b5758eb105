using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// The cross-domain contexts' log messages, source-generated so that per-command ones cost nothing
/// when their level is off: a guest can send failing commands as fast as it likes.
/// </summary>
internal static partial class CrossDomainLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Cross-domain context {ContextId}: {Command} refused: {Reason}")]
    public static partial void CommandRefused(ILogger logger, uint contextId, CrossDomainCommand command, CrossDomainRefusal reason);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "Cross-domain context {ContextId}: blob {ResourceId} refused: {Reason}")]
    public static partial void BlobRefused(ILogger logger, uint contextId, uint resourceId, CrossDomainRefusal reason);

    [LoggerMessage(EventId = 510, Level = LogLevel.Information, Message = "Cross-domain context {ContextId} connected to the compositor at {Path}")]
    public static partial void Connected(ILogger logger, uint contextId, string path);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId} cannot reach the compositor at {Path}: errno {Errno}")]
    public static partial void CompositorUnreachable(ILogger logger, uint contextId, string path, int errno);

    [LoggerMessage(EventId = 512, Level = LogLevel.Information, Message = "Cross-domain context {ContextId}: the compositor closed the connection")]
    public static partial void CompositorHungUp(ILogger logger, uint contextId);

    [LoggerMessage(EventId = 513, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: receiving from the compositor failed ({Status}, errno {Errno}); the channel is closed")]
    public static partial void ReceiveFailed(ILogger logger, uint contextId, IoStatus status, int errno);

    [LoggerMessage(EventId = 514, Level = LogLevel.Debug, Message = "Cross-domain context {ContextId}: sending to the compositor failed, errno {Errno}")]
    public static partial void SendFailed(ILogger logger, uint contextId, int errno);

    [LoggerMessage(EventId = 515, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: the guest holds {Count} unconsumed fds from the compositor; the channel is closed")]
    public static partial void TooManyHeldFds(ILogger logger, uint contextId, int count);

    [LoggerMessage(EventId = 516, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: the device holds nearly all its {Limit} host fds for the guest; the channel is closed")]
    public static partial void DeviceFdsExhausted(ILogger logger, uint contextId, int limit);

    [LoggerMessage(EventId = 520, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: the compositor sent an fd the channel cannot carry ({Description}); it was closed")]
    public static partial void UnsupportedFdClosed(ILogger logger, uint contextId, string description);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: the channel ring cannot be written; a {Command} message is lost")]
    public static partial void ChannelRingUnwritable(ILogger logger, uint contextId, CrossDomainCommand command);

    [LoggerMessage(EventId = 530, Level = LogLevel.Error, Message = "Cross-domain context {ContextId}: handling a channel event threw; the channel is closed")]
    public static partial void ChannelEventThrew(ILogger logger, Exception exception, uint contextId);

    [LoggerMessage(EventId = 522, Level = LogLevel.Warning, Message = "Cross-domain context {ContextId}: the compositor read nothing for {Seconds} s while the guest waited to send; its connection is closed")]
    public static partial void CompositorNotReading(ILogger logger, uint contextId, double seconds);

    [LoggerMessage(EventId = 540, Level = LogLevel.Warning, Message = "Wayland firewall: VM {VmName}, cross-domain context {ContextId} broke {Rule}: {Description}; its compositor connection is closed")]
    public static partial void FirewallViolation(ILogger logger, string vmName, uint contextId, Firewall.FirewallRule rule, string description);
}

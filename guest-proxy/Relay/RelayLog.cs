using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>The relay's log messages, source-generated: the per-message ones cost nothing when off.</summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Client {Client} connected")]
    public static partial void ClientConnected(ILogger logger, int client);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information,
        Message = "Client {Client} closed: {Reason} ({Requests} requests, {Events} events, {ShmCommits} shm commits, {BytesCopied} shm bytes copied; after each buffer's first copy, {DamagedAfterFill} bytes damaged and {CopiedAfterFill} copied, {TransferredAfterFill} of them transferred)")]
    public static partial void ClientClosed(ILogger logger, int client, string reason, long requests, long events,
        long shmCommits, long bytesCopied, long damagedAfterFill, long copiedAfterFill, long transferredAfterFill);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Client {Client}: shm buffers are {Path} ({Why})")]
    public static partial void ShmPath(ILogger logger, int client, string path, string why);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Client {Client} refused: {Reason}")]
    public static partial void ClientRefused(ILogger logger, int client, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Client {Client}: dma-buf buffers are {Path} ({Why})")]
    public static partial void DmabufPath(ILogger logger, int client, string path, string why);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Client {Client}: protocol error on object {ObjectId}, code {Code}: {Description}")]
    public static partial void ProtocolError(ILogger logger, int client, uint objectId, uint code, string description);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug, Message = "Client {Client}: channel event {Command}, {Bytes} bytes, {Identifiers} identifiers")]
    public static partial void ChannelEvent(ILogger logger, int client, VirtioGpu.CrossDomain.CrossDomainCommand command, int bytes, int identifiers);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "client {Client} {Direction} {Message}")]
    public static partial void Traced(ILogger logger, int client, string direction, string message);
}

using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>Whether the host has a GBM allocator: said once at startup, so an operator sees why guests get no dma-bufs.</summary>
internal static partial class GbmLog
{
    [LoggerMessage(EventId = 540, Level = LogLevel.Information, Message = "GBM allocation on {RenderNode}: guests get dma-buf images")]
    public static partial void Opened(ILogger logger, string renderNode);

    [LoggerMessage(EventId = 541, Level = LogLevel.Information, Message = "No GBM allocation ({Reason}): guests get memfd images and no dma-buf support")]
    public static partial void Unavailable(ILogger logger, string reason);
}

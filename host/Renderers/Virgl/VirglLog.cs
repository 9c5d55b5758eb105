using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers.Virgl;

internal static partial class VirglLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "virglrenderer initialised (EGL, surfaceless): capsets VIRGL v{Virgl} ({VirglSize} bytes), VIRGL2 v{Virgl2} ({Virgl2Size} bytes)")]
    public static partial void Available(ILogger logger, uint virgl, uint virglSize, uint virgl2, uint virgl2Size);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "virgl is not available ({Reason}): capsets VIRGL and VIRGL2 are not offered")]
    public static partial void Unavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "virgl is in use by another device: refusing it to this one")]
    public static partial void InUseElsewhere(ILogger logger);

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "virglrenderer failed to start on the device loop ({Reason})")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "virgl blob {ResourceId} cannot be exported as an fd (error {Error}); only blobs the renderer exports (dma-buf, shm, opaque fd) can be mapped here")]
    public static partial void BlobNotExportable(ILogger logger, uint resourceId, int error);

    [LoggerMessage(EventId = 606, Level = LogLevel.Debug, Message = "virglrenderer: {Message}")]
    public static partial void RendererMessage(ILogger logger, string message);

    [LoggerMessage(EventId = 605, Level = LogLevel.Warning, Message = "virglrenderer call {Call} failed with {Result}")]
    public static partial void CallFailed(ILogger logger, string call, int result);
}

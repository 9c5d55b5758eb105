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

    [LoggerMessage(EventId = 603, Level = LogLevel.Warning, Message = "virglrenderer failed to start on the device loop: {Reason} (result {Result})")]
    public static partial void StartFailed(ILogger logger, RendererRefusal reason, int result);

    [LoggerMessage(EventId = 606, Level = LogLevel.Debug, Message = "virglrenderer: {Message}")]
    public static partial void RendererMessage(ILogger logger, string message);
}

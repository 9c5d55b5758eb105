using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers.Gfxstream;

internal static partial class GfxstreamLog
{
    [LoggerMessage(EventId = 620, Level = LogLevel.Information, Message = "gfxstream initialised: capsets {Capsets}")]
    public static partial void Available(ILogger logger, string capsets);

    [LoggerMessage(EventId = 621, Level = LogLevel.Information, Message = "gfxstream is not available ({Reason}): capsets GFXSTREAM_VULKAN and GFXSTREAM_GLES are not offered")]
    public static partial void Unavailable(ILogger logger, string reason);
}

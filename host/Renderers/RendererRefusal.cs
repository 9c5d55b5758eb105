using CrossDomain.Host.Device;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// Why a renderer library (virglrenderer, gfxstream) or one of its contexts refused: the log
/// names it, and <see cref="RendererRefusals.ToGpuError"/> gives the error the guest gets.
/// </summary>
internal enum RendererRefusal
{
    None,

    // ---- the host: Unspecified ----

    /// <summary>Another device (another VM) holds the renderer.</summary>
    InUseByAnotherDevice,

    /// <summary>The library would not initialise on this device's loop.</summary>
    InitFailed,

    /// <summary>The library gave no poll fd, so its fences could never signal.</summary>
    NoPollFd,

    /// <summary>The library would not make the context.</summary>
    ContextCreateFailed,

    /// <summary>The library made the blob but cannot export it as an fd, which is all the device can map.</summary>
    BlobNotExportable,

    /// <summary>The library would not take the fence.</summary>
    FenceCreateFailed,

    /// <summary>The library would not take the resource's guest pages.</summary>
    BackingAttachFailed,

    // ---- the guest's request: InvalidParameter ----

    /// <summary>The command stream's framing is not the library's (virgl: whole 32-bit words).</summary>
    MalformedSubmission,

    /// <summary>The library refused the command stream.</summary>
    SubmissionRejected,

    /// <summary>A blob that is not HOST3D, or that lends guest pages.</summary>
    BlobMemoryNotHost3D,

    /// <summary>The library would not make the blob its commands described.</summary>
    BlobCreateFailed,

    /// <summary>A fence on a ring the library does not have.</summary>
    FenceOnUnknownRing,

    /// <summary>The library refuses the format, target or size of a 3D resource.</summary>
    ResourceCreateFailed,

    /// <summary>The resource's guest pages are not all in the memory table.</summary>
    GuestPagesNotInMemory,

    /// <summary>A transfer on a resource without guest pages.</summary>
    NoBacking,

    /// <summary>The library refused the transfer (its byte range, strides or format).</summary>
    TransferFailed,

    // ---- limits: OutOfMemory ----

    /// <summary>The device's host memory budget cannot hold the copy of the command stream.</summary>
    HostMemoryExhausted,
}

internal static partial class RendererRefusals
{
    /// <summary>The error the guest gets, by the device's rules (see <see cref="GpuError"/>).</summary>
    public static GpuError ToGpuError(this RendererRefusal refusal) => refusal switch
    {
        RendererRefusal.None => GpuError.None,
        RendererRefusal.InUseByAnotherDevice or RendererRefusal.InitFailed or RendererRefusal.NoPollFd
            or RendererRefusal.ContextCreateFailed or RendererRefusal.BlobNotExportable or RendererRefusal.FenceCreateFailed
            or RendererRefusal.BackingAttachFailed => GpuError.Unspecified,
        RendererRefusal.HostMemoryExhausted => GpuError.OutOfMemory,
        _ => GpuError.InvalidParameter,
    };

    /// <summary>Logs the refusal (a guest can cause them as fast as it likes: debug) and returns its error.</summary>
    /// <param name="contextId">The guest context, or 0 for the device's own 3D resources.</param>
    /// <param name="result">What the library call returned, where one was made.</param>
    public static GpuError Refuse(ILogger logger, string renderer, uint contextId, RendererRefusal refusal, int result = 0)
    {
        Refused(logger, renderer, contextId, refusal, result);
        return refusal.ToGpuError();
    }

    [LoggerMessage(EventId = 640, Level = LogLevel.Debug, Message = "{Renderer} (context {ContextId}) refused: {Reason} (result {Result})")]
    private static partial void Refused(ILogger logger, string renderer, uint contextId, RendererRefusal reason, int result);
}

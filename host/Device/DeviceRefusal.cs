using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// Why the device refused a guest command: the log names it, tests check it, and
/// <see cref="DeviceRefusals.ToGpuError"/> gives the error the guest gets, by the rules on
/// <see cref="GpuError"/>. A context's own refusals are its layer's (for example the cross-domain
/// context's <c>CrossDomainRefusal</c>); the device only records that the context refused.
/// </summary>
internal enum DeviceRefusal
{
    None,

    // ---- malformed requests and host-side failures: Unspecified ----

    /// <summary>The request is shorter than its command's fixed part.</summary>
    RequestTooShort,

    /// <summary>The memory entries or the SUBMIT_3D bytes run past the request.</summary>
    PayloadPastRequest,

    /// <summary>A command type this device does not know.</summary>
    UnknownCommand,

    /// <summary>A command this device knows but does not serve (SET_SCANOUT_BLOB).</summary>
    NotSupported,

    /// <summary>A 3D resource command on a device whose default context type keeps no 3D resources.</summary>
    No3DRenderer,

    /// <summary>A capset registered after the device was made, larger than its response buffer.</summary>
    CapsetLargerThanResponse,

    /// <summary>The blob could not be mapped into the host-visible window.</summary>
    MapFailed,

    /// <summary>The blob could not be unmapped from the host-visible window; its range stays reserved.</summary>
    UnmapFailed,

    /// <summary>The context answered success without valid host memory for the blob.</summary>
    ContextMadeInvalidBlob,

    /// <summary>The handler, a context or a renderer threw (logged with the exception).</summary>
    CommandThrew,

    // ---- ids: InvalidContextId, InvalidResourceId, InvalidScanoutId ----

    ContextIdInUse,

    NoSuchContext,

    ResourceIdInUse,

    NoSuchResource,

    NoSuchScanout,

    // ---- values and states the command cannot accept: InvalidParameter ----

    /// <summary>nlen is longer than the debug name field.</summary>
    DebugNameTooLong,

    /// <summary>No context type has the capset id, index or version asked for.</summary>
    UnknownCapset,

    /// <summary>A fence on a ring index past the protocol's 64 rings.</summary>
    RingIndexTooHigh,

    /// <summary>Unknown blob flags, or a size of 0 or not whole pages.</summary>
    BadBlobFlagsOrSize,

    /// <summary>A blob memory type with neither host memory nor guest pages.</summary>
    UnknownBlobMemory,

    /// <summary>Guest pages given for a blob without them, or none for a blob with them.</summary>
    GuestPagesDoNotMatchMemory,

    /// <summary>No memory entries, or one that is empty or wraps around.</summary>
    BadMemoryEntry,

    /// <summary>The guest pages are fewer than the blob, the image or the transfer needs.</summary>
    BackingTooSmall,

    /// <summary>The resource is not of the kind the command needs (a blob for ATTACH_BACKING, a blob to show as 2D …).</summary>
    WrongResourceKind,

    /// <summary>MAP_BLOB of a blob that is not mappable, has no host memory, or is mapped already.</summary>
    BlobNotMappable,

    /// <summary>A window offset that is not page-aligned or overlaps a mapping.</summary>
    WindowRangeNotFree,

    /// <summary>UNMAP_BLOB of a blob that is not mapped.</summary>
    BlobNotMapped,

    /// <summary>The resource has a backing already, or none to detach or transfer from.</summary>
    BackingStateWrong,

    /// <summary>A width, height, depth or array size of 0, too many mip levels, or a format the device does not know.</summary>
    BadResourceShape,

    /// <summary>The rectangle, box or mip level is outside the resource, or the scanout rectangle is empty.</summary>
    OutsideResource,

    /// <summary>The guest pages could not be read (not in the memory table).</summary>
    GuestMemoryUnreadable,

    /// <summary>A transfer on a blob with an offset, stride or layer stride other than the blob's own layout.</summary>
    TransferLayoutMismatch,

    /// <summary>The cursor's hot spot is outside its image.</summary>
    HotSpotOutsideCursor,

    // ---- limits: OutOfMemory ----

    TooManyMemoryEntries,

    TooManyContexts,

    TooManyResources,

    /// <summary>The device's host memory budget cannot hold what the command needs.</summary>
    HostMemoryExhausted,

    /// <summary>The device already holds all the host fds it may hold for the guest.</summary>
    HostFdsExhausted,

    /// <summary>SUBMIT_3D past the device's limit.</summary>
    SubmitTooLarge,

    /// <summary>The device holds as many fenced replies as it may.</summary>
    TooManyPendingFences,

    // ---- the context's own answer: whatever error it chose ----

    /// <summary>The context, or the renderer behind a 3D resource, refused; its own log says why.</summary>
    ContextRefused,
}

internal static class DeviceRefusals
{
    /// <summary>The error the guest gets; for <see cref="DeviceRefusal.ContextRefused"/> the context chose it.</summary>
    public static GpuError ToGpuError(this DeviceRefusal refusal) => refusal switch
    {
        DeviceRefusal.None => GpuError.None,
        DeviceRefusal.RequestTooShort or DeviceRefusal.PayloadPastRequest or DeviceRefusal.UnknownCommand
            or DeviceRefusal.NotSupported or DeviceRefusal.No3DRenderer or DeviceRefusal.CapsetLargerThanResponse
            or DeviceRefusal.MapFailed or DeviceRefusal.UnmapFailed or DeviceRefusal.ContextMadeInvalidBlob
            or DeviceRefusal.CommandThrew or DeviceRefusal.ContextRefused => GpuError.Unspecified,
        DeviceRefusal.ContextIdInUse or DeviceRefusal.NoSuchContext => GpuError.InvalidContextId,
        DeviceRefusal.ResourceIdInUse or DeviceRefusal.NoSuchResource => GpuError.InvalidResourceId,
        DeviceRefusal.NoSuchScanout => GpuError.InvalidScanoutId,
        DeviceRefusal.TooManyMemoryEntries or DeviceRefusal.TooManyContexts or DeviceRefusal.TooManyResources
            or DeviceRefusal.HostMemoryExhausted or DeviceRefusal.HostFdsExhausted or DeviceRefusal.SubmitTooLarge
            or DeviceRefusal.TooManyPendingFences => GpuError.OutOfMemory,
        _ => GpuError.InvalidParameter,
    };

    public static CommandType ToResponseType(this DeviceRefusal refusal) => refusal.ToGpuError().ToResponseType();
}

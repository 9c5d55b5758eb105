using CrossDomain.Host.Device;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// Why a cross-domain context refused a guest command or blob: the log names it, and
/// <see cref="CrossDomainRefusals.ToGpuError"/> gives the error the guest gets for it.
/// </summary>
internal enum CrossDomainRefusal
{
    None,

    // ---- framing: Unspecified ----

    /// <summary>The submission ends inside a command header.</summary>
    TruncatedHeader,

    /// <summary>cmd_size is shorter than the header or runs past the submission.</summary>
    BadCommandSize,

    /// <summary>The command is shorter than its fixed part.</summary>
    CommandTooShort,

    /// <summary>cmd_size is none of INIT's sizes (16, 20, 24, 36).</summary>
    BadInitSize,

    /// <summary>opaque_data_size runs past cmd_size.</summary>
    DataPastCommand,

    // ---- requests the host cannot serve: InvalidParameter ----

    /// <summary>Not a command this host serves.</summary>
    UnknownCommand,

    AlreadyInitialized,

    NotInitialized,

    /// <summary>The channel type is not offered.</summary>
    ChannelTypeNotOffered,

    /// <summary>INIT asks for a Wayland channel but no compositor is configured.</summary>
    NoCompositorConfigured,

    /// <summary>The query ring is an attached resource but not a guest blob of a page or more.</summary>
    QueryRingUnusable,

    /// <summary>The channel ring is an attached resource but not a guest blob of a page or more.</summary>
    ChannelRingUnusable,

    /// <summary>A fence on a ring other than 0 (query) and 1 (channel).</summary>
    FenceOnUnknownRing,

    /// <summary>Unknown format, empty image or too large an image.</summary>
    UnsupportedImage,

    /// <summary>A SEND on a context without a Wayland channel.</summary>
    NoWaylandChannel,

    /// <summary>More than 28 identifiers.</summary>
    TooManyIdentifiers,

    /// <summary>Identifiers without data: a stream carries fds only with bytes.</summary>
    IdentifiersWithoutData,

    /// <summary>A VIRTGPU_BLOB identifier has no host memory to pass on.</summary>
    BlobWithoutHostMemory,

    /// <summary>A READ_PIPE id is not the next one the host expects.</summary>
    UnexpectedReadPipeId,

    /// <summary>An identifier type a guest cannot send.</summary>
    IdentifierTypeNotSendable,

    /// <summary>WRITE to an id that names no write pipe.</summary>
    NoSuchWritePipe,

    /// <summary>
    /// A HOST3D_GUEST blob of a template whose buffers are not one linear plane (a tiled or
    /// multi-planar dma-buf layout), which a copy of guest pages cannot stand in for.
    /// </summary>
    TemplateNotCopyable,

    /// <summary>The blob id names no host item.</summary>
    UnknownBlobId,

    /// <summary>The blob id names a pipe, not memory.</summary>
    BlobIdNotMemory,

    /// <summary>The blob size differs from the image template's (the guest takes it from the template).</summary>
    BlobSizeMismatch,

    // ---- ids that name nothing: InvalidResourceId ----

    /// <summary>The query ring's id names no resource attached to this context.</summary>
    QueryRingNotAttached,

    /// <summary>The channel ring's id names no resource attached to this context.</summary>
    ChannelRingNotAttached,

    /// <summary>A VIRTGPU_BLOB identifier is not a resource attached to this context.</summary>
    BlobNotAttached,

    // ---- limits: OutOfMemory ----

    /// <summary>The context has as many image templates as it may.</summary>
    TooManyImageTemplates,

    /// <summary>The device's host memory budget cannot hold another image template, or the probe GBM lays out.</summary>
    HostMemoryExhausted,

    /// <summary>The context reads as many pipes as it may.</summary>
    TooManyReadPipes,

    /// <summary>Too much is queued for a compositor that does not read.</summary>
    CompositorBacklogFull,

    /// <summary>The device holds as many host fds for the guest as it may.</summary>
    DeviceFdsExhausted,

    /// <summary>Too much is queued for pipe readers.</summary>
    PipeWriteBacklogFull,

    // ---- host-side failures: Unspecified ----

    /// <summary>The query ring is no longer in guest memory.</summary>
    QueryRingUnwritable,

    /// <summary>The compositor closed the connection.</summary>
    CompositorClosed,

    /// <summary>The write pipe's reader is gone.</summary>
    PipeReaderGone,

    /// <summary>The host ran out of fds (pipe2, dup).</summary>
    HostOutOfFds,

    /// <summary>The host could not allocate the image.</summary>
    ImageAllocationFailed,

    /// <summary>Memory the compositor sent could not be copied into whole pages for the guest.</summary>
    ReceivedMemoryUnreadable,
}

internal static class CrossDomainRefusals
{
    /// <summary>The error the guest gets, by the device's rules (see <see cref="GpuError"/>).</summary>
    public static GpuError ToGpuError(this CrossDomainRefusal refusal) => refusal switch
    {
        CrossDomainRefusal.None => GpuError.None,
        CrossDomainRefusal.TruncatedHeader or CrossDomainRefusal.BadCommandSize or CrossDomainRefusal.CommandTooShort
            or CrossDomainRefusal.BadInitSize or CrossDomainRefusal.DataPastCommand
            or CrossDomainRefusal.QueryRingUnwritable or CrossDomainRefusal.CompositorClosed or CrossDomainRefusal.PipeReaderGone
            or CrossDomainRefusal.HostOutOfFds or CrossDomainRefusal.ImageAllocationFailed
            or CrossDomainRefusal.ReceivedMemoryUnreadable => GpuError.Unspecified,
        CrossDomainRefusal.QueryRingNotAttached or CrossDomainRefusal.ChannelRingNotAttached
            or CrossDomainRefusal.BlobNotAttached => GpuError.InvalidResourceId,
        CrossDomainRefusal.TooManyImageTemplates or CrossDomainRefusal.HostMemoryExhausted or CrossDomainRefusal.TooManyReadPipes
            or CrossDomainRefusal.CompositorBacklogFull or CrossDomainRefusal.DeviceFdsExhausted
            or CrossDomainRefusal.PipeWriteBacklogFull => GpuError.OutOfMemory,
        _ => GpuError.InvalidParameter,
    };
}

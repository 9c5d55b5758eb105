using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>Why the session refused a front-end request: what the log says and what tests check.</summary>
public enum VhostUserRefusalReason
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>A request this back-end does not serve.</summary>
    NotSupported,

    /// <summary>The payload is too short for what the request needs (a feature word, a region count).</summary>
    MissingPayload,

    /// <summary>Features acked that were never offered.</summary>
    FeatureNotOffered,

    /// <summary>The request needs a protocol feature that was not negotiated.</summary>
    FeatureNotNegotiated,

    /// <summary>The memory table's count, payload and fds do not agree.</summary>
    MalformedMemoryTable,

    /// <summary>The memory table or a region could not be mapped (see <see cref="MemoryMapError"/>).</summary>
    MemoryRefused,

    /// <summary>A region to remove that is not in the table.</summary>
    NoSuchRegion,

    NoSuchRing,

    /// <summary>A ring's layout may not change while it runs.</summary>
    RingRunning,

    /// <summary>A queue size that is 0, too large or not a power of two.</summary>
    BadQueueSize,

    /// <summary>Dirty logging, misaligned areas, or a base that is not a split-ring index.</summary>
    BadRingAddress,

    /// <summary>The ring cannot start: no size, no addresses, no memory table, or areas outside it.</summary>
    RingUnmapped,

    /// <summary>A ring fd that is missing or not an eventfd.</summary>
    BadRingFd,

    /// <summary>A SET_VRING_ENABLE value other than 0 and 1.</summary>
    BadEnableValue,

    /// <summary>A config write whose size or flags are wrong, or that the device refused.</summary>
    ConfigRefused,

    /// <summary>A display socket fd epoll cannot watch.</summary>
    DisplayFdUnwatchable,
}

/// <summary>
/// The outcome of one front-end request: <see cref="Accepted"/>, or a reason and the detail the
/// log gives with it (the values involved, or what to do about it).
/// </summary>
public readonly record struct VhostUserRefusal(VhostUserRefusalReason Reason, string? Detail = null)
{
    public static VhostUserRefusal Accepted => default;

    public bool IsRefused => Reason != VhostUserRefusalReason.None;

    public static implicit operator VhostUserRefusal(VhostUserRefusalReason reason) => new(reason);

    public override string ToString() => Detail is null ? Reason.ToString() : $"{Reason}: {Detail}";
}

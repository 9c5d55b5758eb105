using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// What one cross-domain context may make the host hold. The guest drives all of these (and the
/// compositor some, on its behalf), so each is bounded; past a bound the guest gets
/// RESP_ERR_OUT_OF_MEMORY, or, for fds the compositor keeps sending that the guest never takes,
/// the channel is closed.
/// </summary>
public sealed class CrossDomainContextLimits
{
    /// <summary>
    /// Image templates (GET_IMAGE_REQUIREMENTS answers). Guests cache them and the protocol never
    /// frees one, so a long-lived context that keeps resizing accumulates them.
    /// </summary>
    public int MaxImageTemplates { get; set; } = 4096;

    /// <summary>fds received from the compositor (memory, write pipes) that the guest has not consumed yet.</summary>
    public int MaxHeldFds { get; set; } = 1024;

    /// <summary>Pipes the host reads for the guest (guest READ_PIPE identifiers) at once.</summary>
    public int MaxReadPipes { get; set; } = 64;

    /// <summary>
    /// SEND bytes queued while the compositor's socket is full, each queued SEND counting
    /// <see cref="SendBacklog.ChunkOverhead"/> more. The fds queued with them count against the
    /// device's <see cref="Device.DeviceLimits.MaxHostFds"/>.
    /// </summary>
    public int MaxPendingSendBytes { get; set; } = 1 << 20;

    /// <summary>
    /// How long a SEND past <see cref="MaxPendingSendBytes"/> waits for a compositor that reads
    /// nothing. The VM's whole control queue waits with it, so a compositor that has not read for
    /// this long is taken as hung: the context's connection is closed, the SEND refused, and the
    /// device goes on.
    /// </summary>
    public TimeSpan MaxSendWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WRITE bytes queued, over all write pipes, while their readers are slow.</summary>
    public int MaxPendingPipeWriteBytes { get; set; } = 1 << 20;

    /// <summary>The largest buffer one image template may describe.</summary>
    public ulong MaxImageBytes { get; set; } = 1UL << 30;

    /// <summary>Throws with the offending setting named.</summary>
    public void Validate()
    {
        RequirePositive(MaxImageTemplates, nameof(MaxImageTemplates));
        // One RECEIVE can bring 28 fds; fewer room than that could never take a full message.
        if (MaxHeldFds < CrossDomainLimits.MaxIdentifiers)
            throw new ArgumentOutOfRangeException(nameof(MaxHeldFds), MaxHeldFds,
                $"Cross-domain limit {nameof(MaxHeldFds)} must be at least one message's worth of fds.");
        RequirePositive(MaxReadPipes, nameof(MaxReadPipes));
        RequirePositive(MaxPendingSendBytes, nameof(MaxPendingSendBytes));
        RequirePositive(MaxPendingPipeWriteBytes, nameof(MaxPendingPipeWriteBytes));
        if (MaxSendWait <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxSendWait), MaxSendWait,
            $"Cross-domain limit {nameof(MaxSendWait)} must be positive.");
        if (MaxImageBytes == 0) throw new ArgumentOutOfRangeException(nameof(MaxImageBytes), MaxImageBytes,
            $"Cross-domain limit {nameof(MaxImageBytes)} must be positive.");
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Cross-domain limit {name} must be positive.");
    }
}

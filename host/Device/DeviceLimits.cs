namespace CrossDomain.Host.Device;

/// <summary>
/// What one guest may make the host hold. Every allocation a guest can cause is counted against one
/// of these; past a limit the guest gets RESP_ERR_OUT_OF_MEMORY instead of the allocation.
/// Settable properties so the host service can bind them from configuration.
/// </summary>
public sealed class DeviceLimits
{
    public int MaxContexts { get; set; } = 64;

    public int MaxResources { get; set; } = 16384;

    /// <summary>
    /// Host bytes held on the guest's behalf: 2D pixel storage, host blobs and backing-entry tables.
    /// </summary>
    public long MaxHostMemoryBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Host fds held on the guest's behalf: one per HOST3D blob, and those contexts keep for it
    /// (compositor fds not yet consumed, pipes, fds of SENDs waiting for the compositor). A desktop
    /// guest holds a few per window (buffers, keymap, clipboard pipes) and a 3D guest one per
    /// mapped blob, hundreds in all; 4096 leaves room for that, and with the soft fd limit raised to
    /// systemd's default hard limit (524288) one process still serves a hundred guests at their limit.
    /// </summary>
    public int MaxHostFds { get; set; } = 4096;

    /// <summary>Replies held back until their fence signals, over all contexts and rings.</summary>
    public int MaxPendingFences { get; set; } = 4096;

    /// <summary>Memory entries in one ATTACH_BACKING or RESOURCE_CREATE_BLOB (QEMU's limit too).</summary>
    public int MaxBackingEntries { get; set; } = 16384;

    /// <summary>Bytes of command stream in one SUBMIT_3D.</summary>
    public int MaxSubmitBytes { get; set; } = 1 << 20;

    /// <summary>Throws with the offending setting named, so a misconfiguration is one clear line.</summary>
    public void Validate()
    {
        RequirePositive(MaxContexts, nameof(MaxContexts));
        RequirePositive(MaxResources, nameof(MaxResources));
        RequirePositive(MaxHostMemoryBytes, nameof(MaxHostMemoryBytes));
        RequirePositive(MaxHostFds, nameof(MaxHostFds));
        RequirePositive(MaxPendingFences, nameof(MaxPendingFences));
        RequirePositive(MaxBackingEntries, nameof(MaxBackingEntries));
        RequirePositive(MaxSubmitBytes, nameof(MaxSubmitBytes));
    }

    private static void RequirePositive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Device limit {name} must be positive.");
    }
}

namespace CrossDomain.Host.Device;

/// <summary>
/// A resource in the device's one, guest-chosen id space: a 2D image (<see cref="Resource2D"/>) or a
/// blob (<see cref="BlobResource"/>). Contexts see it when attached; the device owns it.
/// </summary>
public abstract class GpuResource
{
    private protected GpuResource(uint id) => Id = id;

    public uint Id { get; }

    /// <summary>The guest pages behind it, if any.</summary>
    public GuestBacking? Backing { get; internal set; }

    /// <summary>Assigned on the first RESOURCE_ASSIGN_UUID, then the same for the resource's life.</summary>
    internal Guid? Uuid { get; set; }

    /// <summary>Contexts it is attached to, so UNREF can detach it from each.</summary>
    internal List<ContextEntry> AttachedContexts { get; } = [];

    /// <summary>Host bytes counted against the guest's budget for it, returned on UNREF.</summary>
    internal ulong ChargedHostBytes { get; set; }

    /// <summary>Host fds counted against the guest's fd budget for it, returned on UNREF.</summary>
    internal int ChargedHostFds { get; set; }

    /// <summary>Releases host objects it owns; the device has already returned its budget.</summary>
    internal virtual void Release()
    {
    }
}

using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.VhostUser;

namespace CrossDomain.Host.VhostUser;

/// <summary>
/// What a <see cref="VhostUserBackendSession"/> needs from the device behind it, and what it
/// tells the device. Every call comes on the session's loop thread, one at a time, so the device
/// needs no locks for them. A device that throws ends its own session, not the service.
/// </summary>
public interface IVhostUserDevice
{
    /// <summary>
    /// Virtio feature bits offered in GET_FEATURES (device bits plus transport bits such as
    /// VERSION_1); the session adds bit 30 itself.
    /// </summary>
    ulong DeviceFeatures { get; }

    /// <summary>Queues of the device (GET_QUEUE_NUM); virtio-gpu: 2.</summary>
    int QueueCount { get; }

    /// <summary>Fills <paramref name="destination"/> from config space at <paramref name="offset"/>; false when the range is not config space.</summary>
    bool TryReadConfig(uint offset, Span<byte> destination);

    /// <summary>The driver (or a migration) wrote config space; false refuses the write.</summary>
    bool TryWriteConfig(uint offset, ReadOnlySpan<byte> source, ConfigSpaceUpdate origin);

    /// <summary>SET_FEATURES: what the driver acked, transport bits included (EVENT_IDX changes the ring protocol).</summary>
    void FeaturesNegotiated(ulong features);

    /// <summary>
    /// The memory table changed (replaced, grown, shrunk) or went away (null). Spans into the old
    /// memory are invalid from here; rings that are still started have fresh
    /// <see cref="VhostUserVring.Areas"/>.
    /// </summary>
    void MemoryChanged(IGuestMemory? memory);

    /// <summary>The ring got its kick fd and its areas are translated: from here the device may touch it.</summary>
    void QueueStarted(VhostUserVring vring);

    /// <summary>
    /// The ring stops (GET_VRING_BASE, reset, end of session). The device must not touch it after
    /// returning; it returns the index of the next available entry it would have processed, which
    /// the front-end will give back with SET_VRING_BASE when it restarts the ring.
    /// </summary>
    ushort QueueStopped(VhostUserVring vring);

    /// <summary>
    /// SET_VRING_ENABLE changed <see cref="VhostUserVring.IsEnabled"/>. A ring enabled after it
    /// started may already hold buffers (a kick can arrive before the enable): look at it now.
    /// </summary>
    void QueueEnabledChanged(VhostUserVring vring);

    /// <summary>The driver kicked a started ring (the kick counter is already consumed).</summary>
    void QueueKicked(VhostUserVring vring);

    /// <summary>RESET_OWNER / RESET_DEVICE: every ring has been stopped; forget all device state.</summary>
    void Reset();
}

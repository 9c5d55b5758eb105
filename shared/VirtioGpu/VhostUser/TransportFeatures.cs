namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Feature bits outside the device-type range that matter on a vhost-user connection: the
/// vhost-user-only bit 30 and the virtio transport bits a VMM acks on its own authority.
/// </summary>
[Flags]
public enum TransportFeatures : ulong
{
    None = 0,
    IndirectDescriptors = 1UL << 28,
    EventIndex = 1UL << 29,

    /// <summary>
    /// <c>VHOST_USER_F_PROTOCOL_FEATURES</c>: offered in GET_FEATURES, never seen by the guest.
    /// When SET_FEATURES carries it, rings start disabled until SET_VRING_ENABLE.
    /// </summary>
    VhostUserProtocolFeatures = 1UL << 30,

    Version1 = 1UL << 32,
    AccessPlatform = 1UL << 33,
    RingPacked = 1UL << 34,
    RingReset = 1UL << 40,

    /// <summary>
    /// What QEMU acks for a vhost-user GPU whatever the back-end offered: its own device
    /// properties decide these (VHOST-USER.md §9.1, §9.3).
    /// </summary>
    AckedWithoutOffer = IndirectDescriptors | EventIndex | RingReset,
}

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// What a cross-domain context connects to (<c>channel_type</c> of INIT). The value is also the
/// bit number in <see cref="CrossDomainCapabilities.SupportedChannels"/>.
/// </summary>
public enum ChannelType : uint
{
    /// <summary>An allocation-only context (minigbm): no host socket, no channel ring.</summary>
    None = 0,

    Wayland = 0x0001,
    Camera = 0x0002,
    PipeWire = 0x0010,
    X11 = 0x0011,

    // Reserved by magma-gpu/rutabaga_gfx.
    DBusSession = 0x0012,
    DBusSystem = 0x0013,

    /// <summary>magma only: a socket received earlier and named with ASSIGN_SOCKET_UUID.</summary>
    InternalSocket = 0xFFFF_FFFF,
}

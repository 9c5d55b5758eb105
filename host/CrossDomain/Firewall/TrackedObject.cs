using CrossDomain.Wayland.Protocol;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// An object whose requests the filter reads, and what its limits count on it: a shm pool's bytes,
/// a source's MIME types offered; nothing for the others.
/// </summary>
internal readonly record struct TrackedObject(TrackedObjectKind Kind, long Counted = 0);

/// <summary>The few kinds of object whose messages the filter reads; every other object's messages pass unread.</summary>
internal enum TrackedObjectKind : byte
{
    Registry,
    XdgWmBase,
    XdgSurface,
    XdgToplevel,
    Compositor,
    Surface,
    Shm,
    ShmPool,
    Viewporter,
    Viewport,
    DataDeviceManager,
    DataSource,
    PrimarySelectionDeviceManager,
    PrimarySelectionSource,
    LinuxDmabuf,
    LinuxBufferParams,
}

internal static class TrackedObjectKinds
{
    // Bit n of a kind's mask is set when its request n is a destructor: a request to a tracked
    // object (each commit, each damage) asks this, so the table is read once, not per request.
    private static readonly ulong[] DestructorMasks = Enum.GetValues<TrackedObjectKind>()
        .Select(kind => kind.Interface().Requests.Where(request => request.IsDestructor && request.Opcode < 64)
            .Aggregate(0UL, (mask, request) => mask | 1UL << request.Opcode))
        .ToArray();

    /// <summary>The interface behind a kind: its signature table says which requests are destructors, and names messages in log lines.</summary>
    public static WaylandInterface Interface(this TrackedObjectKind kind) => kind switch
    {
        TrackedObjectKind.Registry => WlRegistry.Interface,
        TrackedObjectKind.XdgWmBase => XdgWmBase.Interface,
        TrackedObjectKind.XdgSurface => XdgSurface.Interface,
        TrackedObjectKind.XdgToplevel => XdgToplevel.Interface,
        TrackedObjectKind.Compositor => WlCompositor.Interface,
        TrackedObjectKind.Surface => WlSurface.Interface,
        TrackedObjectKind.Shm => WlShm.Interface,
        TrackedObjectKind.ShmPool => WlShmPool.Interface,
        TrackedObjectKind.Viewporter => WpViewporter.Interface,
        TrackedObjectKind.Viewport => WpViewport.Interface,
        TrackedObjectKind.DataDeviceManager => WlDataDeviceManager.Interface,
        TrackedObjectKind.DataSource => WlDataSource.Interface,
        TrackedObjectKind.PrimarySelectionDeviceManager => ZwpPrimarySelectionDeviceManagerV1.Interface,
        TrackedObjectKind.PrimarySelectionSource => ZwpPrimarySelectionSourceV1.Interface,
        TrackedObjectKind.LinuxDmabuf => ZwpLinuxDmabufV1.Interface,
        TrackedObjectKind.LinuxBufferParams => ZwpLinuxBufferParamsV1.Interface,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>What an object bound to the global <paramref name="interfaceName"/> is tracked as; null when its requests pass unread.</summary>
    public static TrackedObjectKind? ForGlobal(string interfaceName) => interfaceName switch
    {
        XdgWmBase.Name => TrackedObjectKind.XdgWmBase,
        WlCompositor.Name => TrackedObjectKind.Compositor,
        WlShm.Name => TrackedObjectKind.Shm,
        WpViewporter.Name => TrackedObjectKind.Viewporter,
        WlDataDeviceManager.Name => TrackedObjectKind.DataDeviceManager,
        ZwpPrimarySelectionDeviceManagerV1.Name => TrackedObjectKind.PrimarySelectionDeviceManager,
        ZwpLinuxDmabufV1.Name => TrackedObjectKind.LinuxDmabuf,
        _ => null,
    };

    /// <summary>Whether <paramref name="opcode"/> destroys an object of this kind; its id may then be reused for anything.</summary>
    public static bool IsDestructor(this TrackedObjectKind kind, ushort opcode) => opcode < 64 && (DestructorMasks[(int)kind] >> opcode & 1) != 0;
}

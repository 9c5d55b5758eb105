using CrossDomain.Wayland.Policy;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The host's Wayland firewall for cross-domain contexts: which globals a guest may bind (deny by
/// default), how its windows are marked as the VM's so that none can pose as a host window, and
/// how much one context may ask of the compositor. Each limit is per context; the defaults leave
/// room for any real client (a browser, an office suite's clipboard) and bound a hostile one.
/// </summary>
public sealed class WaylandFirewallOptions
{
    public const string DefaultVmName = "guest";
    public const string DefaultTitleFormat = "[{vm}] {title}";
    public const string DefaultAppIdFormat = "{vm}.{app_id}";
    public const int DefaultMaxTrackedObjects = 100_000;
    public const int DefaultMaxSurfaces = 1024;
    public const int DefaultMaxShmPoolMib = 512;
    public const int DefaultMaxBufferSize = 16384;
    public const int DefaultMaxSurfaceSize = 16384;
    public const int DefaultMaxRequestsPerSecond = 200_000;
    public const int DefaultMaxRequestBurst = 100_000;
    public const int DefaultMaxMimeTypes = 128;
    public const int DefaultMaxMimeTypeLength = 1024;
    public const int DefaultMaxTransferMib = 256;

    /// <summary>Off only to measure the bridge without it: a guest then reaches every global of the compositor.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The VM's name in window titles, app ids and the firewall's log lines.</summary>
    public string VmName { get; init; } = DefaultVmName;

    /// <summary>Interface → highest version offered; every other global is hidden and refused.</summary>
    public IReadOnlyDictionary<string, uint> Globals { get; init; } = DefaultGlobals.AllowList;

    /// <summary>What xdg_toplevel.set_title becomes: <c>{vm}</c> and <c>{title}</c> are replaced.</summary>
    public string TitleFormat { get; init; } = DefaultTitleFormat;

    /// <summary>What xdg_toplevel.set_app_id becomes: <c>{vm}</c> and <c>{app_id}</c> are replaced.</summary>
    public string AppIdFormat { get; init; } = DefaultAppIdFormat;

    /// <summary>Objects the firewall tracks (registries, surfaces, pools, sources, viewports, xdg-shell objects) one context may have; a guest past it loses its connection.</summary>
    public int MaxTrackedObjects { get; init; } = DefaultMaxTrackedObjects;

    /// <summary>wl_surfaces one context may have at once (created and not destroyed).</summary>
    public int MaxSurfaces { get; init; } = DefaultMaxSurfaces;

    /// <summary>
    /// MiB one wl_shm pool may span (create_pool, resize). The compositor maps the whole pool; the
    /// default holds a double-buffered 8K window.
    /// </summary>
    public int MaxShmPoolMib { get; init; } = DefaultMaxShmPoolMib;

    /// <summary>Pixels a shm or dma-buf buffer may have in width and in height: what the compositor must texture.</summary>
    public int MaxBufferSize { get; init; } = DefaultMaxBufferSize;

    /// <summary>
    /// Pixels a surface may be made to cover, in width and in height, without a buffer that large:
    /// an xdg_toplevel minimum size, a wp_viewport destination. (A maximum size is no demand, so it is not bounded.)
    /// </summary>
    public int MaxSurfaceSize { get; init; } = DefaultMaxSurfaceSize;

    /// <summary>Requests a second one context may send, on average: the rate its bucket refills at.</summary>
    public int MaxRequestsPerSecond { get; init; } = DefaultMaxRequestsPerSecond;

    /// <summary>Requests one context may send at once (its bucket's size): a client's start-up or a burst of protocol-heavy work.</summary>
    public int MaxRequestBurst { get; init; } = DefaultMaxRequestBurst;

    /// <summary>MIME types one clipboard or primary-selection source may offer.</summary>
    public int MaxMimeTypes { get; init; } = DefaultMaxMimeTypes;

    /// <summary>Bytes one offered MIME type may have (office suites offer types with long parameter lists).</summary>
    public int MaxMimeTypeLength { get; init; } = DefaultMaxMimeTypeLength;

    /// <summary>MiB one clipboard or drag-and-drop transfer (one pipe) may carry, either way.</summary>
    public int MaxTransferMib { get; init; } = DefaultMaxTransferMib;

    public void Validate()
    {
        if (string.IsNullOrEmpty(VmName) || VmName.Any(char.IsControl))
            throw new ArgumentException("The VM name must be non-empty text without control characters.", nameof(VmName));
        if (Globals.Count == 0 || Globals.Values.Any(cap => cap == 0))
            throw new ArgumentException("The globals allowlist must name at least one interface, each at version 1 or more.", nameof(Globals));
        if (MaxTrackedObjects < 1)
            throw new ArgumentException("At least one object must be trackable.", nameof(MaxTrackedObjects));
        RequirePositive(MaxSurfaces, nameof(MaxSurfaces));
        // A pool's size is a 32-bit signed argument: more than 2047 MiB could never be asked for.
        if (MaxShmPoolMib is < 1 or > 2047) throw new ArgumentException("A shm pool's limit must be 1 to 2047 MiB.", nameof(MaxShmPoolMib));
        RequirePositive(MaxBufferSize, nameof(MaxBufferSize));
        RequirePositive(MaxSurfaceSize, nameof(MaxSurfaceSize));
        RequirePositive(MaxRequestsPerSecond, nameof(MaxRequestsPerSecond));
        RequirePositive(MaxRequestBurst, nameof(MaxRequestBurst));
        RequirePositive(MaxMimeTypes, nameof(MaxMimeTypes));
        RequirePositive(MaxMimeTypeLength, nameof(MaxMimeTypeLength));
        RequirePositive(MaxTransferMib, nameof(MaxTransferMib));
        ArgumentNullException.ThrowIfNull(TitleFormat);
        ArgumentNullException.ThrowIfNull(AppIdFormat);
    }

    private static void RequirePositive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"The firewall's {name} must be at least 1.", name);
    }
}

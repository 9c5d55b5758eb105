using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Host.CrossDomain.Gbm;

namespace CrossDomain.Host.CrossDomain;

/// <summary>What the host offers cross-domain guests: which channels, which memory, within which limits.</summary>
public sealed class CrossDomainOptions
{
    /// <summary>
    /// The absolute path of the host compositor's socket (see <see cref="CompositorSocketPath"/>), or
    /// null when this host has none: then no channel is offered and INIT with the Wayland channel fails.
    /// </summary>
    public string? WaylandSocketPath { get; init; }

    /// <summary>
    /// The host's GBM allocator, or null where it has no render node or no libgbm (see
    /// <see cref="GbmAllocator.TryOpen"/>). With one, image templates for formats the driver takes
    /// are dma-bufs with the driver's layout and modifier; without, they are linear memfds. The
    /// options do not own it: it outlives every context, and whoever opened it disposes it.
    /// </summary>
    public GbmAllocator? Gbm { get; init; }

    /// <summary>
    /// Whether image templates can be dma-bufs: only where the host really allocates them, so that
    /// guests never choose zwp_linux_dmabuf over wl_shm for buffers we would make as memfds.
    /// </summary>
    public bool SupportsDmabuf => Gbm is not null;

    public CrossDomainContextLimits Limits { get; init; } = new();

    /// <summary>What a guest's Wayland stream may do at the compositor; on unless turned off.</summary>
    public WaylandFirewallOptions Firewall { get; init; } = new();
}

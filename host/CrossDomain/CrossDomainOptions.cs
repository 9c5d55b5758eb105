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
    /// Whether image templates can be dma-bufs. False here: buffers are memfds, because this host
    /// has no render node and no libgbm. A GBM allocator will set it; guests then use
    /// zwp_linux_dmabuf instead of wl_shm for their shadow buffers.
    /// </summary>
    public bool SupportsDmabuf { get; init; }

    public CrossDomainContextLimits Limits { get; init; } = new();
}

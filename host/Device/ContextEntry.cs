namespace CrossDomain.Host.Device;

/// <summary>A live context as the device tracks it: what it is, what it sees, its fence timelines.</summary>
internal sealed class ContextEntry(uint id, IContextType type, IGpuContext context, ContextTimelines timelines)
{
    public uint Id { get; } = id;

    public IContextType Type { get; } = type;

    public IGpuContext Context { get; } = context;

    public ContextTimelines Timelines { get; } = timelines;

    /// <summary>Resources attached with CTX_ATTACH_RESOURCE and not detached since.</summary>
    public HashSet<GpuResource> AttachedResources { get; } = [];
}

namespace CrossDomain.Host.Device;

/// <summary>The device's live contexts by guest id, and which resources each has attached.</summary>
internal sealed class ContextTable(int maxContexts) : GuestIdTable<ContextEntry>(maxContexts)
{
    protected override uint IdOf(ContextEntry context) => context.Id;

    /// <summary>Attaches once: attaching an attached resource again changes nothing.</summary>
    public void Attach(ContextEntry context, GpuResource resource)
    {
        if (!context.AttachedResources.Add(resource)) return;
        resource.AttachedContexts.Add(context);
        context.Context.AttachResource(resource);
    }

    public void Detach(ContextEntry context, GpuResource resource)
    {
        if (!context.AttachedResources.Remove(resource)) return;
        resource.AttachedContexts.Remove(context);
        context.Context.DetachResource(resource);
    }

    /// <summary>The resource is going away: every context that sees it is told.</summary>
    public void DetachEverywhere(GpuResource resource)
    {
        // Detach edits the list being walked, so walk a snapshot; a resource sits in few contexts.
        foreach (var context in resource.AttachedContexts.ToArray()) Detach(context, resource);
    }

    /// <summary>The context is going away: its resources forget it, without calling into it.</summary>
    public static void ForgetAttachments(ContextEntry context)
    {
        foreach (var resource in context.AttachedResources) resource.AttachedContexts.Remove(context);
        context.AttachedResources.Clear();
    }
}

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

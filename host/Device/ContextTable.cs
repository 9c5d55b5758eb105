using System.Diagnostics.CodeAnalysis;

namespace CrossDomain.Host.Device;

/// <summary>The device's live contexts by guest id, and which resources each has attached.</summary>
internal sealed class ContextTable(int maxContexts)
{
    private readonly Dictionary<uint, ContextEntry> _contexts = [];

    public int Count => _contexts.Count;

    public bool IsFull => _contexts.Count >= maxContexts;

    public IEnumerable<ContextEntry> All => _contexts.Values;

    public bool Contains(uint contextId) => _contexts.ContainsKey(contextId);

    public bool TryGet(uint contextId, [NotNullWhen(true)] out ContextEntry? context) =>
        _contexts.TryGetValue(contextId, out context);

    public void Add(ContextEntry context) => _contexts.Add(context.Id, context);

    public void Remove(ContextEntry context) => _contexts.Remove(context.Id);

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

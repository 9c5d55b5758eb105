using System.Diagnostics.CodeAnalysis;

namespace CrossDomain.Host.Device;

/// <summary>The device's resources by guest-chosen id, with the count limit.</summary>
internal sealed class ResourceTable(int maxResources)
{
    private readonly Dictionary<uint, GpuResource> _resources = [];

    public int Count => _resources.Count;

    public bool IsFull => _resources.Count >= maxResources;

    public IEnumerable<GpuResource> All => _resources.Values;

    /// <summary>Whether a new resource may take <paramref name="resourceId"/>: not 0, not in use.</summary>
    public bool IsFreeId(uint resourceId) => resourceId != 0 && !_resources.ContainsKey(resourceId);

    public bool TryGet(uint resourceId, [NotNullWhen(true)] out GpuResource? resource) =>
        _resources.TryGetValue(resourceId, out resource);

    public void Add(GpuResource resource) => _resources.Add(resource.Id, resource);

    public void Remove(GpuResource resource) => _resources.Remove(resource.Id);
}

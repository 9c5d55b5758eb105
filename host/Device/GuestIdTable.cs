using System.Diagnostics.CodeAnalysis;

namespace CrossDomain.Host.Device;

/// <summary>
/// Device objects by the id the guest chose for them, with the count limit that bounds how many a
/// guest can make the host keep.
/// </summary>
internal abstract class GuestIdTable<TEntry>(int maxEntries) where TEntry : class
{
    private readonly Dictionary<uint, TEntry> _entries = [];

    public int Count => _entries.Count;

    public bool IsFull => _entries.Count >= maxEntries;

    public IEnumerable<TEntry> All => _entries.Values;

    public bool Contains(uint id) => _entries.ContainsKey(id);

    /// <summary>Whether a new entry may take <paramref name="id"/>: not 0, not in use.</summary>
    public bool IsFreeId(uint id) => id != 0 && !_entries.ContainsKey(id);

    public bool TryGet(uint id, [NotNullWhen(true)] out TEntry? entry) => _entries.TryGetValue(id, out entry);

    public void Add(TEntry entry) => _entries.Add(IdOf(entry), entry);

    public void Remove(TEntry entry) => _entries.Remove(IdOf(entry));

    protected abstract uint IdOf(TEntry entry);
}

/// <summary>The device's resources: one id space for 2D, 3D and blob resources.</summary>
internal sealed class ResourceTable(int maxResources) : GuestIdTable<GpuResource>(maxResources)
{
    protected override uint IdOf(GpuResource resource) => resource.Id;
}

using System.Diagnostics.CodeAnalysis;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Host.CrossDomain;

/// <summary>
/// A context's host items by id (PROTOCOL.md B.6). One counter names them all, as in
/// magma-gpu/rutabaga_gfx: incremented before use from 1, so the first item is 2, then 3, 4, …;
/// whether an item is reusable depends on its kind (templates are), not on its id. Ids stay below
/// 0x40000000, clear of the sentinel and read-pipe namespaces, and skip ids still in use when the
/// counter wraps.
/// </summary>
internal sealed class HostItems : IDisposable
{
    public const uint FirstId = 2;
    private const uint LastId = CrossDomainLimits.AtomicMemorySentinelStart - 1;

    private readonly Dictionary<uint, HostItem> _items = [];
    private readonly Dictionary<ImageTemplateKey, uint> _templateIds = [];
    private uint _lastIssued = FirstId - 1;

    public int Count => _items.Count;

    public int TemplateCount => _templateIds.Count;

    /// <summary>Items holding an fd from the compositor that the guest has not consumed.</summary>
    public int HeldFdCount { get; private set; }

    public uint Add(HostItem item)
    {
        do
        {
            _lastIssued = _lastIssued >= LastId ? FirstId : _lastIssued + 1;
        }
        while (_items.ContainsKey(_lastIssued));
        _items.Add(_lastIssued, item);
        if (item.HoldsFd) HeldFdCount++;
        if (item is ImageTemplate template) _templateIds.Add(template.Key, _lastIssued);
        return _lastIssued;
    }

    public bool TryGet(uint id, [NotNullWhen(true)] out HostItem? item) => _items.TryGetValue(id, out item);

    public bool TryFindTemplate(ImageTemplateKey key, out uint id) => _templateIds.TryGetValue(key, out id);

    /// <summary>Takes the item out of the table; the caller owns it now.</summary>
    public HostItem Remove(uint id)
    {
        if (!_items.Remove(id, out var item)) throw new KeyNotFoundException($"No host item {id}.");
        if (item.HoldsFd) HeldFdCount--;
        if (item is ImageTemplate template) _templateIds.Remove(template.Key);
        return item;
    }

    public void Dispose()
    {
        foreach (var item in _items.Values) item.Dispose();
        _items.Clear();
        _templateIds.Clear();
        HeldFdCount = 0;
    }
}

/// <summary>
/// Something the host made or received for a context and named with an item id the guest uses
/// later (PROTOCOL.md B.6): an image template, memory received from the compositor, a write pipe.
/// </summary>
internal abstract class HostItem : IDisposable
{
    /// <summary>Whether it holds an fd, and so counts against <see cref="CrossDomainContextLimits.MaxHeldFds"/>.</summary>
    public virtual bool HoldsFd => false;

    public virtual void Dispose()
    {
    }
}

using CrossDomain.Interop;

namespace CrossDomain.Host.Device;

/// <summary>
/// The device's host-visible shared-memory region (shmid 1): where RESOURCE_MAP_BLOB puts host
/// memory so the guest can map it. Over vhost-user this is SHMEM_MAP/SHMEM_UNMAP on the back-end
/// channel; the front-end owns the window.
/// </summary>
public interface IHostVisibleWindow
{
    /// <summary>Size of the window in bytes; 0 when the front-end has none.</summary>
    ulong Size { get; }

    /// <summary>Maps [<paramref name="fdOffset"/>, +<paramref name="length"/>) of <paramref name="fd"/> at <paramref name="windowOffset"/>.</summary>
    bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable);

    bool TryUnmap(ulong windowOffset, ulong length);

    /// <summary>
    /// Whether a front-end holds the window now. Without one (it disconnected, or its channel
    /// failed) nothing can be mapped or unmapped, and what was mapped went with its window.
    /// </summary>
    bool HasFrontEnd { get; }
}

/// <summary>A byte range of the host-visible window: [<see cref="Offset"/>, <see cref="End"/>).</summary>
public readonly record struct WindowRange(ulong Offset, ulong Length)
{
    public ulong End => Offset + Length;

    public bool Overlaps(WindowRange other) => Offset < other.End && other.Offset < End;
}

/// <summary>
/// The blobs mapped into the host-visible window. The guest chooses every offset, so a new mapping
/// must lie inside the window and overlap no other: MAP_FIXED over a live mapping would let one
/// UNMAP_BLOB tear out another blob's pages.
/// </summary>
internal sealed class HostWindowMappings
{
    /// <summary>Mappings in ascending offset order, found by binary search.</summary>
    private readonly List<WindowRange> _mapped = [];

    public HostWindowMappings(IHostVisibleWindow window) => Window = window;

    public IHostVisibleWindow Window { get; }

    public int Count => _mapped.Count;

    /// <summary>Whether [offset, +length) fits in the window and is free.</summary>
    public bool IsFree(WindowRange range)
    {
        ulong size = Window.Size;
        if (range.Length == 0 || range.Offset > size || range.Length > size - range.Offset) return false;
        int next = FirstAtOrAfter(range.Offset);
        if (next < _mapped.Count && _mapped[next].Overlaps(range)) return false;
        return next == 0 || !_mapped[next - 1].Overlaps(range);
    }

    public void Add(WindowRange range) => _mapped.Insert(FirstAtOrAfter(range.Offset), range);

    public void Remove(WindowRange range)
    {
        int index = FirstAtOrAfter(range.Offset);
        if (index < _mapped.Count && _mapped[index] == range) _mapped.RemoveAt(index);
    }

    private int FirstAtOrAfter(ulong offset)
    {
        int low = 0, high = _mapped.Count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (_mapped[middle].Offset < offset) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}

namespace CrossDomain.VirtioGpu.Memory;

/// <summary>
/// First-fit allocation of page-aligned ranges in [0, size): guest RAM for a local driver, and
/// offsets in the host-visible window (the Linux driver keeps a drm_mm over it for the same job).
/// </summary>
public sealed class RangeAllocator
{
    private readonly long _alignment;
    // Free ranges, sorted by offset and coalesced.
    private readonly List<(long Offset, long Length)> _free = [];

    public RangeAllocator(long size, long alignment = 4096)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) throw new ArgumentException("Alignment must be a power of two.", nameof(alignment));
        _alignment = alignment;
        long usable = size / alignment * alignment;
        if (usable > 0) _free.Add((0, usable));
    }

    public long FreeBytes => _free.Sum(range => range.Length);

    public long RoundUp(long length) => (length + _alignment - 1) / _alignment * _alignment;

    public bool TryAllocate(long length, out long offset)
    {
        offset = 0;
        if (length <= 0) return false;
        long rounded = RoundUp(length);
        for (int i = 0; i < _free.Count; i++)
        {
            var (start, available) = _free[i];
            if (available < rounded) continue;
            if (available == rounded) _free.RemoveAt(i);
            else _free[i] = (start + rounded, available - rounded);
            offset = start;
            return true;
        }
        return false;
    }

    public void Free(long offset, long length)
    {
        long rounded = RoundUp(length);
        int index = _free.FindIndex(range => range.Offset > offset);
        if (index < 0) index = _free.Count;
        _free.Insert(index, (offset, rounded));
        if (index + 1 < _free.Count && _free[index].Offset + _free[index].Length == _free[index + 1].Offset)
        {
            _free[index] = (_free[index].Offset, _free[index].Length + _free[index + 1].Length);
            _free.RemoveAt(index + 1);
        }
        if (index > 0 && _free[index - 1].Offset + _free[index - 1].Length == _free[index].Offset)
        {
            _free[index - 1] = (_free[index - 1].Offset, _free[index - 1].Length + _free[index].Length);
            _free.RemoveAt(index);
        }
    }
}

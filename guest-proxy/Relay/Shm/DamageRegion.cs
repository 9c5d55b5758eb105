namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// Damage in buffer pixels as a short list of rectangles. Past <see cref="MaxRectangles"/> it
/// collapses to their bounding box: a few rectangles keep small updates small, and a client that
/// sends hundreds costs one box copy rather than hundreds of bookkeeping steps.
/// </summary>
internal sealed class DamageRegion
{
    public const int MaxRectangles = 16;

    private readonly List<DamageRectangle> _rectangles = [];

    public IReadOnlyList<DamageRectangle> Rectangles => _rectangles;

    /// <summary>
    /// For <c>foreach</c> over the region itself: the list's own enumerator, a struct, where one
    /// through <see cref="Rectangles"/> would be boxed on every commit's copy.
    /// </summary>
    public List<DamageRectangle>.Enumerator GetEnumerator() => _rectangles.GetEnumerator();

    public bool IsEmpty => _rectangles.Count == 0;

    public void Add(DamageRectangle rectangle)
    {
        if (rectangle.IsEmpty) return;
        foreach (var existing in _rectangles)
            if (existing.Contains(rectangle)) return;
        // Not RemoveAll(rectangle.Contains): that delegate, bound to a boxed copy of the struct,
        // would be two allocations per damage request and per commit.
        for (int i = _rectangles.Count - 1; i >= 0; i--)
            if (rectangle.Contains(_rectangles[i])) _rectangles.RemoveAt(i);
        if (_rectangles.Count == MaxRectangles)
        {
            var box = rectangle;
            foreach (var existing in _rectangles) box = box.Union(existing);
            _rectangles.Clear();
            _rectangles.Add(box);
            return;
        }
        _rectangles.Add(rectangle);
    }

    public void Add(DamageRegion other)
    {
        foreach (var rectangle in other._rectangles) Add(rectangle);
    }

    public void Clear() => _rectangles.Clear();
}

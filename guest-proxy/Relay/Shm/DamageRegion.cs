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

    public bool IsEmpty => _rectangles.Count == 0;

    public void Add(DamageRectangle rectangle)
    {
        if (rectangle.IsEmpty) return;
        foreach (var existing in _rectangles)
            if (existing.Contains(rectangle)) return;
        _rectangles.RemoveAll(rectangle.Contains);
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

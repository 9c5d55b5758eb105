namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>A rectangle in buffer pixels; empty when either side is 0.</summary>
internal readonly record struct DamageRectangle(int X, int Y, int Width, int Height)
{
    public bool IsEmpty => Width <= 0 || Height <= 0;

    public long Area => IsEmpty ? 0 : (long)Width * Height;

    /// <summary>The part inside a <paramref name="width"/> × <paramref name="height"/> buffer.</summary>
    public DamageRectangle ClipTo(int width, int height)
    {
        long left = Math.Clamp((long)X, 0, width), top = Math.Clamp((long)Y, 0, height);
        long right = Math.Clamp((long)X + Width, 0, width), bottom = Math.Clamp((long)Y + Height, 0, height);
        return new DamageRectangle((int)left, (int)top, (int)(right - left), (int)(bottom - top));
    }

    public DamageRectangle Union(DamageRectangle other)
    {
        if (IsEmpty) return other;
        if (other.IsEmpty) return this;
        int left = Math.Min(X, other.X), top = Math.Min(Y, other.Y);
        int right = Math.Max(X + Width, other.X + other.Width), bottom = Math.Max(Y + Height, other.Y + other.Height);
        return new DamageRectangle(left, top, right - left, bottom - top);
    }

    public bool Contains(DamageRectangle other) =>
        other.X >= X && other.Y >= Y && other.X + other.Width <= X + Width && other.Y + other.Height <= Y + Height;
}

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// Maps wl_surface.damage (surface coordinates) to buffer pixels, through wl_surface's buffer
/// scale and buffer transform, as a compositor does before it samples the buffer. The corners are
/// mapped and their bounding box taken, rounded outward so no damaged pixel is missed.
/// </summary>
internal static class SurfaceToBuffer
{
    /// <param name="transform">A wl_output.transform value, 0..7.</param>
    public static DamageRectangle Map(DamageRectangle surfaceRectangle, int bufferWidth, int bufferHeight, int scale, uint transform)
    {
        if (scale < 1) scale = 1;
        bool swapsAxes = (transform & 1) != 0;
        // The surface's size in surface coordinates: the buffer turned by the transform, divided by the scale.
        long surfaceWidth = (swapsAxes ? bufferHeight : bufferWidth) / scale;
        long surfaceHeight = (swapsAxes ? bufferWidth : bufferHeight) / scale;
        long x1 = Math.Clamp((long)surfaceRectangle.X, 0, surfaceWidth), y1 = Math.Clamp((long)surfaceRectangle.Y, 0, surfaceHeight);
        long x2 = Math.Clamp((long)surfaceRectangle.X + surfaceRectangle.Width, 0, surfaceWidth);
        long y2 = Math.Clamp((long)surfaceRectangle.Y + surfaceRectangle.Height, 0, surfaceHeight);
        var (ax, ay) = MapPoint(x1, y1, surfaceWidth, surfaceHeight, transform);
        var (bx, by) = MapPoint(x2, y2, surfaceWidth, surfaceHeight, transform);
        long left = Math.Min(ax, bx) * scale, top = Math.Min(ay, by) * scale;
        long right = Math.Max(ax, bx) * scale, bottom = Math.Max(ay, by) * scale;
        right = Math.Min(right, bufferWidth);
        bottom = Math.Min(bottom, bufferHeight);
        return new DamageRectangle((int)left, (int)top, (int)(right - left), (int)(bottom - top));
    }

    // A point of the surface to the same point of the buffer, before scaling; width and height are
    // the surface's. wl_output.transform: 0 normal, 1 90, 2 180, 3 270, 4..7 the same flipped first.
    private static (long X, long Y) MapPoint(long x, long y, long width, long height, uint transform) => (transform & 7) switch
    {
        0 => (x, y),
        1 => (y, width - x),
        2 => (width - x, height - y),
        3 => (height - y, x),
        4 => (width - x, y),
        5 => (y, x),
        6 => (x, height - y),
        _ => (height - y, width - x),
    };
}

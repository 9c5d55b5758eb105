namespace CrossDomain.Bench.Wayland;

/// <summary>A rectangle of buffer pixels, as wl_surface.damage_buffer takes it.</summary>
internal readonly record struct DamageBox(int X, int Y, int Width, int Height)
{
    public long Bytes => 4L * Width * Height;
}

namespace CrossDomain.Tests.Support;

/// <summary>An output's pixels as 0x00RRGGBB, alpha dropped: weston's capture is premultiplied, and XRGB clients leave alpha 0.</summary>
public sealed class Screenshot(int width, int height, uint[] pixels)
{
    public int Width { get; } = width;

    public int Height { get; } = height;

    public uint this[int x, int y] => pixels[y * Width + x];

    /// <summary>Every position where <paramref name="rgb"/> appears, row by row.</summary>
    public IEnumerable<(int X, int Y)> Find(uint rgb)
    {
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                if (this[x, y] == rgb) yield return (x, y);
            }
        }
    }
}

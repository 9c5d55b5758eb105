namespace CrossDomain.Bench.Wayland;

/// <summary>
/// What the bench's windows show. Full-damage frames are a colour gradient shifted by a few pixels
/// each frame, so every pixel really changes (a relay that diffs, like waypipe, cannot skip any)
/// while the content stays as compressible as ordinary UI, not noise. Small-damage frames paint
/// one 64×64 square at a new place each frame.
/// </summary>
internal sealed class BenchPicture
{
    public const int Square = 64;
    private const int ShiftRange = 256;
    private readonly int _sourceWidth;
    private readonly uint[] _source;

    public BenchPicture(WindowSize size)
    {
        Size = size;
        _sourceWidth = size.Width + ShiftRange;
        _source = new uint[_sourceWidth * size.Height];
        for (int y = 0; y < size.Height; y++)
            for (int x = 0; x < _sourceWidth; x++)
                _source[y * _sourceWidth + x] = 0xFF000000u | (uint)((x + 3 * y) & 0xFF) << 16 | (uint)((x >> 2) & 0xFF) << 8 | (uint)((y >> 2) & 0xFF);
    }

    public WindowSize Size { get; }

    public DamageBox Whole => new(0, 0, Size.Width, Size.Height);

    public void PaintWhole(Span<uint> pixels, int frame)
    {
        int shift = frame * 8 % ShiftRange;
        for (int y = 0; y < Size.Height; y++)
            _source.AsSpan(y * _sourceWidth + shift, Size.Width).CopyTo(pixels.Slice(y * Size.Width, Size.Width));
    }

    public DamageBox SquareOf(int frame) =>
        new(Square + frame * 97 % (Size.Width - 3 * Square), Square + frame * 53 % (Size.Height - 3 * Square), Square, Square);

    public void PaintSquare(Span<uint> pixels, int frame)
    {
        var box = SquareOf(frame);
        uint colour = 0xFF000000u | (uint)(frame * 2654435761u >> 8) & 0xFFFFFF;
        for (int y = box.Y; y < box.Y + box.Height; y++) pixels.Slice(y * Size.Width + box.X, box.Width).Fill(colour);
    }
}

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
    private const int SourceWidth = ShmWindow.Width + ShiftRange;
    private readonly uint[] _source = new uint[SourceWidth * ShmWindow.Height];

    public BenchPicture()
    {
        for (int y = 0; y < ShmWindow.Height; y++)
            for (int x = 0; x < SourceWidth; x++)
                _source[y * SourceWidth + x] = 0xFF000000u | (uint)((x + 3 * y) & 0xFF) << 16 | (uint)((x >> 2) & 0xFF) << 8 | (uint)((y >> 2) & 0xFF);
    }

    public static DamageBox Whole => new(0, 0, ShmWindow.Width, ShmWindow.Height);

    public void PaintWhole(Span<uint> pixels, int frame)
    {
        int shift = frame * 8 % ShiftRange;
        for (int y = 0; y < ShmWindow.Height; y++)
            _source.AsSpan(y * SourceWidth + shift, ShmWindow.Width).CopyTo(pixels.Slice(y * ShmWindow.Width, ShmWindow.Width));
    }

    public static DamageBox SquareOf(int frame) =>
        new(Square + frame * 97 % (ShmWindow.Width - 3 * Square), Square + frame * 53 % (ShmWindow.Height - 3 * Square), Square, Square);

    public static void PaintSquare(Span<uint> pixels, int frame)
    {
        var box = SquareOf(frame);
        uint colour = 0xFF000000u | (uint)(frame * 2654435761u >> 8) & 0xFFFFFF;
        for (int y = box.Y; y < box.Y + box.Height; y++) pixels.Slice(y * ShmWindow.Width + box.X, box.Width).Fill(colour);
    }
}

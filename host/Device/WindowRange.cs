namespace CrossDomain.Host.Device;

/// <summary>A byte range of the host-visible window: [<see cref="Offset"/>, <see cref="End"/>).</summary>
public readonly record struct WindowRange(ulong Offset, ulong Length)
{
    public ulong End => Offset + Length;

    public bool Overlaps(WindowRange other) => Offset < other.End && other.Offset < End;
}

namespace CrossDomain.Host.Virgl;

/// <summary>
/// One capability set as a renderer (virgl, gfxstream) reported it when it was probed: its largest version and size,
/// and the bytes of every version (read once, because a renderer is not always initialised when a
/// guest asks).
/// </summary>
internal sealed class RendererCapset(uint maxVersion, uint maxSize, byte[][] dataByVersion)
{
    public uint MaxVersion { get; } = maxVersion;

    public uint MaxSize { get; } = maxSize;

    public ReadOnlySpan<byte> Data(uint version) => dataByVersion[version];
}

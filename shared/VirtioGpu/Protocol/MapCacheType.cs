namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// The caching a guest must use for a mapped blob (<c>map_info</c> of RESP_OK_MAP_INFO).
/// Linux compares the whole word with <see cref="WriteCombined"/> and <see cref="Uncached"/>,
/// so a response must carry these bits and nothing else.
/// </summary>
public enum MapCacheType : uint
{
    None = 0x00,
    Cached = 0x01,
    Uncached = 0x02,
    WriteCombined = 0x03,
}

/// <summary>
/// rutabaga's <c>map_info</c> word: a <see cref="MapCacheType"/> in the low nibble plus access
/// bits. It travels in cross-domain image requirements, never in a virtio response.
/// </summary>
public static class MapInfoBits
{
    public const uint CacheMask = 0x0f;
    public const uint AccessRead = 0x10;
    public const uint AccessWrite = 0x20;
    public const uint AccessReadWrite = AccessRead | AccessWrite;
    public const uint AccessMask = 0xf0;
}

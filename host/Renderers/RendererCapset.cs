using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// One capability set as a renderer (virgl, gfxstream) reported it when it was probed: its largest version and size,
/// and the bytes of every version (read once, because a renderer is not always initialised when a
/// guest asks).
/// </summary>
internal sealed class RendererCapset(uint maxVersion, uint maxSize, byte[][] dataByVersion)
{
    /// <summary>A renderer's get_cap_set: the capset's largest version and size, or size 0 when it has none.</summary>
    public unsafe delegate void QueryFunction(uint capsetId, uint* maxVersion, uint* maxSize);

    /// <summary>A renderer's fill_caps: one version's bytes.</summary>
    public unsafe delegate void FillFunction(uint capsetId, uint version, void* caps);

    public uint MaxVersion { get; } = maxVersion;

    public uint MaxSize { get; } = maxSize;

    public ReadOnlySpan<byte> Data(uint version) => dataByVersion[version];

    /// <summary>Clears <paramref name="mask"/> in the 32-bit word at <paramref name="offset"/> of every version that reaches it.</summary>
    public void ClearBits(int offset, uint mask)
    {
        foreach (byte[] data in dataByVersion)
        {
            if (data.Length < offset + sizeof(uint)) continue;
            var word = data.AsSpan(offset, sizeof(uint));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(word, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(word) & ~mask);
        }
    }

    /// <summary>Those of <paramref name="capsetIds"/> that an initialised renderer has, every version of each.</summary>
    public static unsafe Dictionary<CapsetId, RendererCapset> ReadAll(ReadOnlySpan<CapsetId> capsetIds, QueryFunction query, FillFunction fill)
    {
        var capsets = new Dictionary<CapsetId, RendererCapset>();
        foreach (var capsetId in capsetIds)
        {
            uint maxVersion = 0, maxSize = 0;
            query((uint)capsetId, &maxVersion, &maxSize);
            // A size past what GET_CAPSET can carry, or an absurd version count, is treated as no capset.
            if (maxSize == 0 || maxSize > ContextTypeRegistry.MaxCapsetSize || maxVersion > 16) continue;
            var data = new byte[maxVersion + 1][];
            for (uint version = 0; version <= maxVersion; version++)
            {
                data[version] = new byte[maxSize];
                fixed (byte* destination = data[version]) fill((uint)capsetId, version, destination);
            }
            capsets[capsetId] = new RendererCapset(maxVersion, maxSize, data);
        }
        return capsets;
    }
}

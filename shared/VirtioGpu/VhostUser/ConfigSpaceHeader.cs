using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The head of GET_CONFIG / SET_CONFIG payloads; <see cref="Size"/> bytes of config space
/// follow it. A GET_CONFIG request carries the bytes too (zeroed); the reply echoes the header.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConfigSpaceHeader
{
    public uint Offset;
    public uint Size;
    public ConfigSpaceUpdate Flags;

    public ConfigSpaceHeader(uint offset, uint size, ConfigSpaceUpdate flags = ConfigSpaceUpdate.FromDriver)
    {
        Offset = offset;
        Size = size;
        Flags = flags;
    }
}

/// <summary>Who wrote the config space in SET_CONFIG.</summary>
public enum ConfigSpaceUpdate : uint
{
    /// <summary>The guest driver wrote writable fields (virtio-gpu: events_clear).</summary>
    FromDriver = 0,

    /// <summary>Restoring state after migration.</summary>
    Migration = 1,
}

using CrossDomain.Host.Device;
using CrossDomain.Interop;

namespace CrossDomain.Tests.Device;

/// <summary>
/// Plays the front-end's host-visible window: each map really mmaps the fd (so a test can read what
/// the guest would see through it) and is recorded; a test can make maps or unmaps fail.
/// </summary>
internal sealed class RecordingHostVisibleWindow(ulong size) : IHostVisibleWindow, IDisposable
{
    private readonly Dictionary<ulong, MemoryMapping> _live = [];

    public ulong Size { get; } = size;

    public bool FailMaps { get; set; }

    public bool FailUnmaps { get; set; }

    public List<(ulong WindowOffset, ulong Length, bool Writable)> Maps { get; } = [];

    public List<(ulong WindowOffset, ulong Length)> Unmaps { get; } = [];

    public int LiveMappingCount => _live.Count;

    public bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable)
    {
        if (FailMaps || _live.ContainsKey(windowOffset)) return false;
        // As QEMU 11.1 does: it refuses a file shorter than what is mapped of it
        // (qemu_ram_alloc_from_fd), and maps it shared and writable whatever the flags say.
        if ((ulong)MemFd.GetSize(fd) < fdOffset + length) return false;
        try
        {
            _live.Add(windowOffset, MemoryMapping.Map(fd, (long)length, (long)fdOffset, writable: true));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
        Maps.Add((windowOffset, length, writable));
        return true;
    }

    public bool HasFrontEnd => true;

    public bool TryUnmap(ulong windowOffset, ulong length)
    {
        if (FailUnmaps || !_live.Remove(windowOffset, out var mapping)) return false;
        mapping.Dispose();
        Unmaps.Add((windowOffset, length));
        return true;
    }

    /// <summary>The bytes mapped at <paramref name="windowOffset"/>, as the guest would read them.</summary>
    public Span<byte> MappedAt(ulong windowOffset, int length) => _live[windowOffset].GetSpan(0, length);

    public void Dispose()
    {
        foreach (var mapping in _live.Values) mapping.Dispose();
        _live.Clear();
    }
}

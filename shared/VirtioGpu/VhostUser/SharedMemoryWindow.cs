using CrossDomain.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// A front-end's VIRTIO Shared Memory Region (the GPU's host-visible window, shmid 1): address
/// space reserved PROT_NONE at start, into which SHMEM_MAP places the back-end's fds with
/// MAP_FIXED and out of which SHMEM_UNMAP takes them again (back to PROT_NONE). What a guest
/// would see through the PCI BAR, a local driver reads here.
/// </summary>
public sealed unsafe class SharedMemoryWindow : IDisposable
{
    private readonly List<WindowMapping> _mappings = [];
    private void* _base;

    private SharedMemoryWindow(void* reservation, ulong size)
    {
        _base = reservation;
        Size = size;
    }

    /// <summary>Bytes of the window; 0 when the back-end announced none.</summary>
    public ulong Size { get; }

    public nint BaseAddress => (nint)_base;

    internal int MappingCount => _mappings.Count;

    private static ulong PageSize => (ulong)Environment.SystemPageSize;

    /// <summary>Reserves <paramref name="size"/> bytes of address space, none of it backed yet.</summary>
    public static SharedMemoryWindow Reserve(ulong size)
    {
        if (size == 0) return new SharedMemoryWindow(null, 0);
        if (size % PageSize != 0 || size > long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(size), $"A window of {size} bytes is not a whole number of pages.");
        void* reservation = mmap(null, (size_t)size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (reservation == MAP_FAILED) throw Errno.Exception("mmap(window reservation)");
        return new SharedMemoryWindow(reservation, size);
    }

    /// <summary>
    /// Maps [<paramref name="fdOffset"/>, +<paramref name="length"/>) of <paramref name="fd"/> at
    /// <paramref name="windowOffset"/>. Refused: offsets that are not page-aligned, a range past
    /// the window or the file, and a range that overlaps a current mapping (the spec refuses
    /// mapping over a mapping).
    /// </summary>
    public bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable)
    {
        if (_base == null || !TryPageSpan(windowOffset, length, out ulong pages)) return false;
        if (fdOffset % PageSize != 0 || fdOffset > long.MaxValue - length) return false;
        if (_mappings.Exists(m => windowOffset < m.Offset + m.PageSpan && m.Offset < windowOffset + pages)) return false;
        // The file must hold every page mapped, as QEMU demands (qemu_ram_alloc_from_fd refuses a
        // shorter one): the back-end pads memory such as a keymap to whole pages before it maps it.
        if (!FileSize.Covers(fd, fdOffset + pages)) return false;

        int protection = PROT_READ | (writable ? PROT_WRITE : 0);
        void* address = (byte*)_base + windowOffset;
        void* mapped = mmap(address, (size_t)length, protection, MAP_SHARED | MAP_FIXED, fd.Fd, (long)fdOffset);
        if (mapped == MAP_FAILED)
        {
            // A failed MAP_FIXED may already have dropped what was there; put the reservation back.
            Reprotect(windowOffset, pages);
            return false;
        }
        _mappings.Add(new WindowMapping(windowOffset, length, pages));
        return true;
    }

    /// <summary>Unmaps the mapping that starts at <paramref name="windowOffset"/> with exactly <paramref name="length"/> bytes.</summary>
    public bool TryUnmap(ulong windowOffset, ulong length)
    {
        int index = _mappings.FindIndex(m => m.Offset == windowOffset && m.Length == length);
        if (index < 0) return false;
        Reprotect(windowOffset, _mappings[index].PageSpan);
        _mappings.RemoveAt(index);
        return true;
    }

    /// <summary>Drops every mapping, as a device reset does; the reservation stays.</summary>
    public void UnmapAll()
    {
        foreach (var mapping in _mappings) Reprotect(mapping.Offset, mapping.PageSpan);
        _mappings.Clear();
    }

    /// <summary>A span over window bytes, granted only inside one current mapping (the rest of the window faults).</summary>
    public bool TryGetSpan(ulong windowOffset, int length, out Span<byte> span)
    {
        foreach (var mapping in _mappings)
        {
            if (length >= 0 && GuestMemoryRegion.Contains(mapping.Offset, mapping.Length, windowOffset, (ulong)length, out _))
            {
                span = new Span<byte>((byte*)_base + windowOffset, length);
                return true;
            }
        }
        span = default;
        return false;
    }

    public void Dispose()
    {
        if (_base == null) return;
        munmap(_base, (size_t)Size);
        _base = null;
        _mappings.Clear();
    }

    private bool TryPageSpan(ulong windowOffset, ulong length, out ulong pages)
    {
        pages = 0;
        if (length == 0 || windowOffset % PageSize != 0 || length > Size) return false;
        pages = (length + PageSize - 1) / PageSize * PageSize;
        return windowOffset <= Size && pages <= Size - windowOffset;
    }

    private void Reprotect(ulong windowOffset, ulong pages)
    {
        void* address = (byte*)_base + windowOffset;
        void* result = mmap(address, (size_t)pages, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        // Failing here would leave a hole another allocation could take: nothing sane can follow.
        if (result == MAP_FAILED) throw Errno.Exception("mmap(window re-reservation)");
    }

    private readonly record struct WindowMapping(ulong Offset, ulong Length, ulong PageSpan);
}

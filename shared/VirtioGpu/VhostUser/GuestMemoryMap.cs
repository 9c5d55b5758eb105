using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// The front-end's memory table, mapped into this process: guest-physical addresses (from
/// descriptors) and front-end user addresses (from SET_VRING_ADDR) to host memory. Every
/// lookup checks that the whole range lies inside one region, with no arithmetic that can wrap.
/// <para>
/// Built whole from SET_MEM_TABLE (<see cref="TryCreate"/>) or grown and shrunk by
/// ADD_MEM_REG / REM_MEM_REG. Used on the device's loop thread only.
/// </para>
/// </summary>
public sealed class GuestMemoryMap : IGuestMemory, IDisposable
{
    private readonly List<GuestMemoryRegion> _regions = [];

    public GuestMemoryMap(int maxRegions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRegions);
        MaxRegions = maxRegions;
    }

    public int MaxRegions { get; }

    public IReadOnlyList<GuestMemoryRegion> Regions => _regions;

    /// <summary>
    /// Maps a whole SET_MEM_TABLE: every region or none. The caller keeps ownership of
    /// <paramref name="fds"/> (the mappings hold their own reference to the memory).
    /// </summary>
    public static MemoryMapError TryCreate(ReadOnlySpan<MemoryRegion> regions, IReadOnlyList<FileDescriptor> fds,
        int maxRegions, out GuestMemoryMap? map)
    {
        map = null;
        if (regions.Length > maxRegions) return MemoryMapError.TooManyRegions;
        if (regions.Length != fds.Count) return MemoryMapError.FdCountMismatch;
        var built = new GuestMemoryMap(maxRegions);
        for (int i = 0; i < regions.Length; i++)
        {
            var error = built.TryAdd(regions[i], fds[i]);
            if (error != MemoryMapError.None)
            {
                built.Dispose();
                return error;
            }
        }
        map = built;
        return MemoryMapError.None;
    }

    /// <summary>Maps one more region (ADD_MEM_REG); the caller keeps ownership of <paramref name="fd"/>.</summary>
    public MemoryMapError TryAdd(in MemoryRegion region, FileDescriptor fd)
    {
        if (_regions.Count >= MaxRegions) return MemoryMapError.TooManyRegions;
        var error = Validate(region);
        if (error != MemoryMapError.None) return error;
        ulong mappedLength = region.MmapOffset + region.Size; // Validate proved this does not wrap
        // Sealed before the size is read: a size checked while the file may still shrink proves nothing.
        if (!MemFd.TrySealAgainstShrinking(fd)) return MemoryMapError.Truncatable;
        if (!FileSize.Covers(fd, mappedLength)) return MemoryMapError.FileTooSmall;

        MemoryMapping mapping;
        try
        {
            mapping = MemoryMapping.Map(fd, (long)mappedLength);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return MemoryMapError.MapFailed;
        }
        _regions.Add(new GuestMemoryRegion(region, mapping));
        return MemoryMapError.None;
    }

    /// <summary>
    /// Unmaps the region at <paramref name="guestPhysicalAddress"/> of <paramref name="size"/>
    /// bytes (REM_MEM_REG identifies regions by these two, as rust-vmm and libvhost-user do).
    /// Spans into it are invalid from here on.
    /// </summary>
    public MemoryMapError TryRemove(ulong guestPhysicalAddress, ulong size)
    {
        int index = _regions.FindIndex(r => r.GuestPhysicalAddress == guestPhysicalAddress && r.Size == size);
        if (index < 0) return MemoryMapError.NotFound;
        _regions[index].Dispose();
        _regions.RemoveAt(index);
        return MemoryMapError.None;
    }

    public unsafe bool TryGetSpan(ulong address, uint length, out Span<byte> span)
    {
        if (length <= int.MaxValue && TryGetHostAddress(address, length, out nint host))
        {
            span = new Span<byte>((void*)host, (int)length);
            return true;
        }
        span = default;
        return false;
    }

    /// <summary>The host address of guest-physical [<paramref name="address"/>, +<paramref name="length"/>), when one region holds all of it.</summary>
    public bool TryGetHostAddress(ulong address, ulong length, out nint hostAddress)
    {
        foreach (var region in _regions)
        {
            if (GuestMemoryRegion.Contains(region.GuestPhysicalAddress, region.Size, address, length, out ulong offset))
            {
                hostAddress = region.HostAddress + (nint)offset;
                return true;
            }
        }
        hostAddress = 0;
        return false;
    }

    /// <summary>
    /// Translates a front-end user address range (SET_VRING_ADDR) to this process and to guest-physical,
    /// when one region holds all of it.
    /// </summary>
    public bool TryTranslateUserAddress(ulong userAddress, ulong length, out nint hostAddress, out ulong guestPhysicalAddress)
    {
        foreach (var region in _regions)
        {
            if (GuestMemoryRegion.Contains(region.UserAddress, region.Size, userAddress, length, out ulong offset))
            {
                hostAddress = region.HostAddress + (nint)offset;
                guestPhysicalAddress = region.GuestPhysicalAddress + offset;
                return true;
            }
        }
        hostAddress = 0;
        guestPhysicalAddress = 0;
        return false;
    }

    public void Dispose()
    {
        foreach (var region in _regions) region.Dispose();
        _regions.Clear();
    }

    private MemoryMapError Validate(in MemoryRegion region)
    {
        const ulong MaxMappable = long.MaxValue; // mmap's length and MemoryMapping's are signed
        if (region.Size == 0) return MemoryMapError.EmptyRegion;
        if (region.GuestPhysicalAddress > ulong.MaxValue - region.Size
            || region.UserAddress > ulong.MaxValue - region.Size
            || region.Size > MaxMappable
            || region.MmapOffset > MaxMappable - region.Size)
            return MemoryMapError.AddressOverflow;
        foreach (var existing in _regions)
        {
            if (existing.OverlapsGuestPhysical(region.GuestPhysicalAddress, region.Size)) return MemoryMapError.Overlap;
        }
        return MemoryMapError.None;
    }
}

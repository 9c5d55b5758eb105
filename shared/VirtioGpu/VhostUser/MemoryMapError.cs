namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>Why a memory region from the front-end was refused.</summary>
public enum MemoryMapError
{
    None,

    /// <summary>More regions than the table may hold.</summary>
    TooManyRegions,

    /// <summary>The number of fds differs from the number of regions.</summary>
    FdCountMismatch,

    /// <summary>A region of size 0.</summary>
    EmptyRegion,

    /// <summary>A region whose end does not fit in 64 bits (or its mapping in the address space).</summary>
    AddressOverflow,

    /// <summary>A region overlaps another one in guest-physical space.</summary>
    Overlap,

    /// <summary>The fd is a file shorter than mmap_offset + size.</summary>
    FileTooSmall,

    /// <summary>
    /// The fd is a file the front-end could still shrink under the mapping (touching the lost tail
    /// would raise SIGBUS here): not a memfd, or a memfd that refuses F_SEAL_SHRINK.
    /// </summary>
    Truncatable,

    /// <summary>mmap refused the fd.</summary>
    MapFailed,

    /// <summary>REM_MEM_REG named a region that is not in the table.</summary>
    NotFound,
}

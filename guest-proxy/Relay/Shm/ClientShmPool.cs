using System.ComponentModel;
using CrossDomain.Interop;
using Tmds.Linux;

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// A client's wl_shm_pool as the proxy sees it: the client's fd mapped read-only, the memory damage
/// is copied from. It lives while the pool object or any buffer made from it does, as wl_shm's
/// memory does in a compositor.
/// </summary>
internal sealed unsafe class ClientShmPool : IClientPixels
{
    private readonly FileDescriptor _fd;
    private MemoryMapping _mapping;
    private int _references = 1;

    private ClientShmPool(uint shmId, FileDescriptor fd, MemoryMapping mapping)
    {
        ShmId = shmId;
        _fd = fd;
        _mapping = mapping;
    }

    /// <summary>The wl_shm object the pool was made from: shadows are made from it too.</summary>
    public uint ShmId { get; }

    public long Size => _mapping.Length;

    /// <summary>Maps the client's fd; null with the reason when the size is not one the fd can back.</summary>
    public static ClientShmPool? TryCreate(uint shmId, FileDescriptor fd, int size, out string? problem)
    {
        problem = CheckBacking(fd, size);
        if (problem is not null) return null;
        try
        {
            return new ClientShmPool(shmId, fd, MemoryMapping.Map(fd, size, writable: false));
        }
        catch (Win32Exception exception)
        {
            problem = $"the pool fd cannot be mapped: {exception.Message}";
            return null;
        }
    }

    /// <summary>wl_shm_pool.resize: pools only grow, and the fd must already be that large.</summary>
    public string? TryResize(int size)
    {
        if (size < _mapping.Length) return $"shrinking the pool from {_mapping.Length} to {size} bytes";
        if (size == _mapping.Length) return null;
        string? problem = CheckBacking(_fd, size);
        if (problem is not null) return problem;
        var grown = MemoryMapping.Map(_fd, size, writable: false);
        _mapping.Dispose();
        _mapping = grown;
        return null;
    }

    /// <summary>
    /// Whether the file still backs the first <paramref name="length"/> bytes. A client can shrink
    /// its file under the mapping, and reading past the end would be SIGBUS, which .NET cannot
    /// survive, so every copy checks first.
    /// </summary>
    public bool Backs(long length) => length <= _mapping.Length && FileSize(_fd) >= length;

    public ReadOnlySpan<byte> GetSpan(long offset, int length) => _mapping.GetSpan(offset, length);

    /// <summary>The client writes its pixels straight into this memory: they are always current.</summary>
    public void Refresh(DamageRegion region, in BufferLayout layout)
    {
    }

    public void AddReference() => _references++;

    public void Dispose()
    {
        if (--_references > 0) return;
        _mapping.Dispose();
        _fd.Dispose();
    }

    private static string? CheckBacking(FileDescriptor fd, long size)
    {
        if (size <= 0) return $"a pool of {size} bytes";
        long fileSize = FileSize(fd);
        if (fileSize < 0) return "the pool fd is not a file that can be mapped";
        return fileSize < size ? $"a pool of {size} bytes on a file of {fileSize}" : null;
    }

    private static long FileSize(FileDescriptor fd)
    {
        stat status;
        return LibC.fstat(fd.Fd, &status) == 0 ? status.st_size : -1;
    }
}

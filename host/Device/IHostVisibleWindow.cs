using CrossDomain.Interop;

namespace CrossDomain.Host.Device;

/// <summary>
/// The device's host-visible shared-memory region (shmid 1): where RESOURCE_MAP_BLOB puts host
/// memory so the guest can map it. Over vhost-user this is SHMEM_MAP/SHMEM_UNMAP on the back-end
/// channel; the front-end owns the window.
/// </summary>
public interface IHostVisibleWindow
{
    /// <summary>Size of the window in bytes; 0 when the front-end has none.</summary>
    ulong Size { get; }

    /// <summary>Maps [<paramref name="fdOffset"/>, +<paramref name="length"/>) of <paramref name="fd"/> at <paramref name="windowOffset"/>.</summary>
    bool TryMap(FileDescriptor fd, ulong fdOffset, ulong windowOffset, ulong length, bool writable);

    bool TryUnmap(ulong windowOffset, ulong length);

    /// <summary>
    /// Whether a front-end holds the window now. Without one (it disconnected, or its channel
    /// failed) nothing can be mapped or unmapped, and what was mapped went with its window.
    /// </summary>
    bool HasFrontEnd { get; }
}

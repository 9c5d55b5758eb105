using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// Host memory a context made for a HOST3D blob. The context hands it to the device, which owns it
/// from then on: it maps it into the host-visible window on MAP_BLOB and disposes it (closing the
/// fd) when the resource is unreferenced.
/// </summary>
public sealed class HostBlob : IDisposable
{
    /// <param name="rendererObject">
    /// The renderer's own object behind the memory (a virgl blob resource), released with it; null
    /// when the fd is all there is.
    /// </param>
    public HostBlob(FileDescriptor handle, ulong size, MapCacheType cacheType, bool writable, IDisposable? rendererObject = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Size = size;
        CacheType = cacheType;
        IsWritable = writable;
        RendererObject = rendererObject;
    }

    /// <summary>A mappable fd: memfd, shm, dma-buf.</summary>
    public FileDescriptor Handle { get; }

    /// <summary>Bytes of <see cref="Handle"/> that may be mapped, from offset 0.</summary>
    public ulong Size { get; }

    /// <summary>The caching the guest must use; the only part of rutabaga's map_info that reaches it.</summary>
    public MapCacheType CacheType { get; }

    /// <summary>
    /// False for memory the guest may only read (a compositor's write-sealed keymap): mapping it
    /// writable would fail.
    /// </summary>
    public bool IsWritable { get; }

    public IDisposable? RendererObject { get; }

    public void Dispose()
    {
        Handle.Dispose();
        RendererObject?.Dispose();
    }
}

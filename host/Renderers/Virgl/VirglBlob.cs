using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// A HOST3D (or HOST3D_GUEST) blob made by virglrenderer from an object the context's commands
/// described (blob_id), handed to the device as the fd the renderer exports. The fd is what makes
/// it mappable into the guest and passable to a compositor (a dma-buf where the renderer allocates
/// through GBM; shm or an opaque fd otherwise). A blob the renderer cannot export is refused, since
/// the device can only map fds.
/// </summary>
internal sealed unsafe class VirglBlob : IDisposable
{
    private readonly VirglRenderer _renderer;
    private readonly uint _resourceId;
    private bool _disposed;

    private VirglBlob(VirglRenderer renderer, uint resourceId)
    {
        _renderer = renderer;
        _resourceId = resourceId;
    }

    /// <summary>Called by a live context of the renderer's owning device, so the renderer is started.</summary>
    /// <param name="result">What the failing library call returned.</param>
    public static RendererRefusal TryCreate(VirglRenderer renderer, uint contextId, in HostBlobRequest request, out HostBlob? blob, out int result)
    {
        blob = null;
        result = 0;
        // HOST3D_GUEST would lend guest pages for the blob's life; Mesa's virgl driver does not use
        // it, and it is refused rather than lent without following memory-table changes.
        if (request.GuestBacking is not null || request.Memory != BlobMemory.Host3D) return RendererRefusal.BlobMemoryNotHost3D;
        if (renderer.Owner is not { } owner) return RendererRefusal.InUseByAnotherDevice;
        var acquired = renderer.Acquire(owner);
        if (acquired != RendererRefusal.None) return acquired;
        var args = new VirglBlobCreateArgs
        {
            ResourceHandle = request.ResourceId,
            ContextId = contextId,
            BlobMemory = (uint)request.Memory,
            BlobFlags = (uint)request.Flags,
            BlobId = request.BlobId,
            Size = request.Size,
        };
        result = VirglNative.CreateBlob(&args);
        if (result != 0)
        {
            renderer.Release();
            return RendererRefusal.BlobCreateFailed;
        }
        renderer.RegisterResource(request.ResourceId);
        var rendererObject = new VirglBlob(renderer, request.ResourceId);

        uint fdType = 0;
        int fd = -1;
        result = VirglNative.ExportBlob(request.ResourceId, &fdType, &fd);
        if (result != 0 || fd < 0)
        {
            rendererObject.Dispose();
            return RendererRefusal.BlobNotExportable;
        }
        // Renderer memory is ordinary cached host memory whichever fd type carries it.
        blob = new HostBlob(new FileDescriptor(fd), request.Size, MapCacheType.Cached, writable: true, rendererObject);
        return RendererRefusal.None;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        VirglNative.UnrefResource(_resourceId);
        _renderer.UnregisterResource(_resourceId);
        _renderer.Release();
    }
}

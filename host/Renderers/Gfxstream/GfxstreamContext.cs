using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary>One guest gfxstream context: its command stream and per-ring fences go to the renderer.</summary>
internal sealed unsafe class GfxstreamContext : RendererContext
{
    private readonly HashSet<uint> _blobIds = [];

    private GfxstreamContext(GfxstreamRenderer renderer, GpuContextSetup setup)
        : base(renderer, setup)
    {
    }

    /// <summary>Makes the renderer's context; the caller has acquired the renderer for it.</summary>
    public static GpuError TryCreate(GfxstreamRenderer renderer, CapsetId capsetId, GpuContextSetup setup, out IGpuContext? context)
    {
        context = null;
        byte[] name = Encoding.UTF8.GetBytes(setup.DebugName);
        int result;
        fixed (byte* namePointer = name)
            result = GfxstreamNative.CreateContext(setup.ContextId, (uint)name.Length, namePointer, (uint)capsetId);
        if (result != 0)
            return RendererRefusals.Refuse(setup.Logs.Limit(renderer.Logger), renderer.Name, setup.ContextId, RendererRefusal.ContextCreateFailed, result);
        context = new GfxstreamContext(renderer, setup);
        return GpuError.None;
    }

    public override void AttachResource(GpuResource resource)
    {
        if (_blobIds.Contains(resource.Id)) GfxstreamNative.AttachResourceToContext((int)Id, (int)resource.Id);
    }

    public override void DetachResource(GpuResource resource)
    {
        if (_blobIds.Contains(resource.Id)) GfxstreamNative.DetachResourceFromContext((int)Id, (int)resource.Id);
    }

    public override GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob)
    {
        blob = null;
        if (request.GuestBacking is not null || request.Memory != BlobMemory.Host3D) return Refuse(RendererRefusal.BlobMemoryNotHost3D);
        var create = new StreamRendererCreateBlob
        {
            BlobMemory = (uint)request.Memory,
            BlobFlags = (uint)request.Flags,
            BlobId = request.BlobId,
            Size = request.Size,
        };
        int result = GfxstreamNative.CreateBlob(Id, request.ResourceId, &create, 0, 0, null);
        if (result != 0) return Refuse(RendererRefusal.BlobCreateFailed, result);
        var handle = new StreamRendererHandle { OsHandle = -1 };
        result = GfxstreamNative.ExportBlob(request.ResourceId, &handle);
        if (result != 0 || handle.OsHandle < 0 || handle.OsHandle > int.MaxValue ||
            handle.HandleType is not (GfxstreamNative.HandleTypeOpaqueFd or GfxstreamNative.HandleTypeDmabuf or GfxstreamNative.HandleTypeShm))
        {
            GfxstreamNative.UnrefResource(request.ResourceId);
            return Refuse(RendererRefusal.BlobNotExportable, result);
        }
        uint resourceId = request.ResourceId;
        _blobIds.Add(resourceId);
        var rendererObject = new GfxstreamBlob(resourceId, () => _blobIds.Remove(resourceId));
        blob = new HostBlob(new FileDescriptor((int)handle.OsHandle), request.Size, MapCacheType.Cached, writable: true, rendererObject);
        return GpuError.None;
    }

    public override GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        var fence = new StreamRendererFence
        {
            Flags = GfxstreamNative.FenceFlagFence | GfxstreamNative.FenceFlagRingIndex,
            FenceId = fenceId,
            ContextId = Id,
            RingIndex = ringIndex,
        };
        int result = GfxstreamNative.CreateFence(&fence);
        return result == 0 ? GpuError.None : Refuse(RendererRefusal.FenceCreateFailed, result);
    }

    private protected override bool SubmitCopy(byte* commands, int length, out int result)
    {
        var command = new StreamRendererCommand { ContextId = Id, CommandSize = (uint)length, Commands = commands };
        result = GfxstreamNative.Submit(&command);
        return result == 0;
    }

    private protected override void DestroyInLibrary() => GfxstreamNative.DestroyContext(Id);

    /// <summary>The renderer's resource behind an exported blob, unreferenced with it.</summary>
    private sealed class GfxstreamBlob(uint resourceId, Action forget) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            GfxstreamNative.UnrefResource(resourceId);
            forget();
        }
    }
}

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
        if (result != 0) return GpuError.Unspecified;
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
        if (request.GuestBacking is not null || request.Memory != BlobMemory.Host3D) return GpuError.InvalidParameter;
        var create = new StreamRendererCreateBlob
        {
            BlobMemory = (uint)request.Memory,
            BlobFlags = (uint)request.Flags,
            BlobId = request.BlobId,
            Size = request.Size,
        };
        if (GfxstreamNative.CreateBlob(Id, request.ResourceId, &create, 0, 0, null) != 0) return GpuError.InvalidParameter;
        var handle = new StreamRendererHandle { OsHandle = -1 };
        if (GfxstreamNative.ExportBlob(request.ResourceId, &handle) != 0 || handle.OsHandle < 0 || handle.OsHandle > int.MaxValue ||
            handle.HandleType is not (GfxstreamNative.HandleTypeOpaqueFd or GfxstreamNative.HandleTypeDmabuf or GfxstreamNative.HandleTypeShm))
        {
            GfxstreamNative.UnrefResource(request.ResourceId);
            return GpuError.Unspecified;
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
        return GfxstreamNative.CreateFence(&fence) == 0 ? GpuError.None : GpuError.Unspecified;
    }

    private protected override bool SubmitCopy(byte* commands, int length)
    {
        var command = new StreamRendererCommand { ContextId = Id, CommandSize = (uint)length, Commands = commands };
        return GfxstreamNative.Submit(&command) == 0;
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

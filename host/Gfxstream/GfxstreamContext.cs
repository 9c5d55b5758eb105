using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.Host.Virgl;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Gfxstream;

/// <summary>One guest gfxstream context: its command stream and per-ring fences go to the renderer.</summary>
internal sealed unsafe class GfxstreamContext : IGpuContext
{
    private readonly GfxstreamRenderer _renderer;
    private readonly uint _id;
    private readonly HashSet<uint> _blobIds = [];
    private readonly SubmissionCopy _commandCopy;
    private bool _disposed;

    private GfxstreamContext(GfxstreamRenderer renderer, uint id, HostMemoryBudget memory)
    {
        _renderer = renderer;
        _id = id;
        _commandCopy = new SubmissionCopy(memory);
    }

    public static GpuError TryCreate(GfxstreamRenderer renderer, CapsetId capsetId, GpuContextSetup setup, out GfxstreamContext? context)
    {
        context = null;
        byte[] name = Encoding.UTF8.GetBytes(setup.DebugName);
        int result;
        fixed (byte* namePointer = name)
            result = GfxstreamNative.CreateContext(setup.ContextId, (uint)name.Length, namePointer, (uint)capsetId);
        if (result != 0) return GpuError.Unspecified;
        GfxstreamRenderer.RegisterContext(setup.ContextId, setup.Fences);
        context = new GfxstreamContext(renderer, setup.ContextId, setup.Memory);
        return GpuError.None;
    }

    public GpuError Submit(ReadOnlySpan<byte> commands)
    {
        if (commands.IsEmpty) return GpuError.None;
        if (_commandCopy.TryCopy(commands) is not { } commandCopy) return GpuError.OutOfMemory;
        fixed (byte* copy = commandCopy)
        {
            var command = new StreamRendererCommand { ContextId = _id, CommandSize = (uint)commands.Length, Commands = copy };
            return GfxstreamNative.Submit(&command) == 0 ? GpuError.None : GpuError.InvalidParameter;
        }
    }

    public void AttachResource(GpuResource resource)
    {
        if (_blobIds.Contains(resource.Id)) GfxstreamNative.AttachResourceToContext((int)_id, (int)resource.Id);
    }

    public void DetachResource(GpuResource resource)
    {
        if (_blobIds.Contains(resource.Id)) GfxstreamNative.DetachResourceFromContext((int)_id, (int)resource.Id);
    }

    public GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob)
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
        if (GfxstreamNative.CreateBlob(_id, request.ResourceId, &create, 0, 0, null) != 0) return GpuError.InvalidParameter;
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

    public GpuError CreateFence(byte ringIndex, ulong fenceId)
    {
        var fence = new StreamRendererFence
        {
            Flags = GfxstreamNative.FenceFlagFence | GfxstreamNative.FenceFlagRingIndex,
            FenceId = fenceId,
            ContextId = _id,
            RingIndex = ringIndex,
        };
        return GfxstreamNative.CreateFence(&fence) == 0 ? GpuError.None : GpuError.Unspecified;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GfxstreamRenderer.UnregisterContext(_id);
        GfxstreamNative.DestroyContext(_id);
        _commandCopy.Dispose();
        _renderer.Release();
    }

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

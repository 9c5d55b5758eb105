using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// A RESOURCE_CREATE_3D resource held by virglrenderer under the guest's own id. Its attached guest
/// pages are lent to the renderer as iovecs (for the transfers that virgl commands themselves do);
/// TRANSFER_*_3D from the device passes iovecs built afresh from the current memory table.
/// </summary>
internal sealed unsafe class VirglResource : Resource3D
{
    private readonly VirglRenderer _renderer;
    private GuestIoVectors? _lent;
    private GuestBacking? _backing;
    private bool _released;

    /// <summary>Makes the renderer's resource; the caller has acquired the renderer for it.</summary>
    public static RendererRefusal TryCreate(VirglRenderer renderer, in ResourceCreate3DCommand command, out VirglResource? resource,
        out int result)
    {
        resource = null;
        var args = new VirglResourceCreateArgs
        {
            Handle = command.ResourceId,
            Description = command.Description,
        };
        result = VirglNative.CreateResource(&args, null, 0);
        // virglrenderer refuses formats, targets and sizes it cannot make with -EINVAL.
        if (result != 0) return RendererRefusal.ResourceCreateFailed;
        renderer.RegisterResource(command.ResourceId);
        resource = new VirglResource(renderer, command);
        return RendererRefusal.None;
    }

    private VirglResource(VirglRenderer renderer, in ResourceCreate3DCommand command) : base(command) => _renderer = renderer;

    internal override GpuError AttachBacking(GuestBacking backing, IGuestMemory memory)
    {
        var vectors = GuestIoVectors.TryCreate(backing, memory);
        if (vectors is null) return Refuse(RendererRefusal.GuestPagesNotInMemory);
        int result = VirglNative.AttachBacking((int)Id, vectors.Vectors, vectors.Count);
        if (result != 0)
        {
            vectors.Dispose();
            return Refuse(RendererRefusal.BackingAttachFailed, result);
        }
        _lent = vectors;
        _backing = backing;
        return GpuError.None;
    }

    internal override void DetachBacking()
    {
        _backing = null;
        Unlend();
    }

    internal override void GuestMemoryChanged(IGuestMemory memory)
    {
        if (_backing is not { } backing) return;
        Unlend();
        // Pages the new table no longer has stay unlent: the renderer then sees no backing, and the
        // device's own transfers refuse them.
        var vectors = GuestIoVectors.TryCreate(backing, memory);
        if (vectors is null) return;
        if (VirglNative.AttachBacking((int)Id, vectors.Vectors, vectors.Count) != 0)
        {
            vectors.Dispose();
            return;
        }
        _lent = vectors;
    }

    internal override GpuError Transfer(TransferDirection direction, uint contextId, in TransferHost3DCommand command,
        IGuestMemory memory)
    {
        if (Backing is not { } backing) return Refuse(RendererRefusal.NoBacking);
        using var vectors = GuestIoVectors.TryCreate(backing, memory);
        if (vectors is null) return Refuse(RendererRefusal.GuestPagesNotInMemory);
        // struct virgl_box (virgl_hw.h) is virtio_gpu_box's six words.
        var box = command.Box;
        // The renderer checks the byte range the box, strides and format need against the iovecs.
        int result = direction == TransferDirection.ToHost
            ? VirglNative.TransferWrite(Id, contextId, (int)command.Level, command.Stride, command.LayerStride, &box,
                command.Offset, vectors.Vectors, (uint)vectors.Count)
            : VirglNative.TransferRead(Id, contextId, command.Level, command.Stride, command.LayerStride, &box,
                command.Offset, vectors.Vectors, vectors.Count);
        return result == 0 ? GpuError.None : Refuse(RendererRefusal.TransferFailed, result);
    }

    private GpuError Refuse(RendererRefusal refusal, int result = 0) =>
        RendererRefusals.Refuse(_renderer.Logger, _renderer.Name, 0, refusal, result);

    internal override void Release()
    {
        if (_released) return;
        _released = true;
        Unlend();
        VirglNative.UnrefResource(Id);
        _renderer.UnregisterResource(Id);
        _renderer.Release();
    }

    private void Unlend()
    {
        if (_lent is null) return;
        IoVector* vectors = null;
        int count = 0;
        VirglNative.DetachBacking((int)Id, &vectors, &count);
        _lent.Dispose();
        _lent = null;
    }
}

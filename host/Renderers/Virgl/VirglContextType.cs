using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary>
/// The virgl context type for one of its capsets (VIRGL or VIRGL2: the same vrend contexts, two
/// capability layouts). It also makes the device's RESOURCE_CREATE_3D resources, being the 3D type
/// a Linux guest's implicit context (capset 0) gets.
/// </summary>
public sealed class VirglContextType : RendererContextType, IResource3DType
{
    private readonly VirglRenderer _renderer;

    public VirglContextType(VirglRenderer renderer, CapsetId capsetId)
        : base(renderer, capsetId, "virglrenderer")
    {
        _renderer = renderer;
    }

    private protected override GpuError TryCreateContext(GpuContextSetup setup, out IGpuContext? context) =>
        VirglContext.TryCreate(_renderer, CapsetId, setup, out context);

    public GpuError CreateResource3D(in ResourceCreate3DCommand command, EventLoop loop, out Resource3D? resource)
    {
        ArgumentNullException.ThrowIfNull(loop);
        resource = null;
        var refusal = _renderer.Acquire(loop);
        if (refusal == RendererRefusal.None)
        {
            refusal = VirglResource.TryCreate(_renderer, command, out var created, out int result);
            if (refusal == RendererRefusal.None)
            {
                resource = created;
                return GpuError.None;
            }
            _renderer.Release();
            return RendererRefusals.Refuse(_renderer.Logger, _renderer.Name, 0, refusal, result);
        }
        return RendererRefusals.Refuse(_renderer.Logger, _renderer.Name, 0, refusal);
    }
}

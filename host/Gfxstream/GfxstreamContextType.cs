using CrossDomain.Host.Device;
using CrossDomain.Host.Virgl;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Gfxstream;

/// <summary>
/// The gfxstream context type for GFXSTREAM_VULKAN (3) or GFXSTREAM_GLES (8). It makes no
/// RESOURCE_CREATE_3D resources: those go to the device's default 3D type (virgl where it is
/// registered), so gfxstream guests get their memory as blobs.
/// </summary>
public sealed class GfxstreamContextType : RendererContextType
{
    private readonly GfxstreamRenderer _renderer;

    public GfxstreamContextType(GfxstreamRenderer renderer, CapsetId capsetId)
        : base(renderer, capsetId, "gfxstream")
    {
        _renderer = renderer;
    }

    private protected override GpuError TryCreateContext(GpuContextSetup setup, out IGpuContext? context)
    {
        var error = GfxstreamContext.TryCreate(_renderer, CapsetId, setup, out var created);
        context = created;
        return error;
    }
}

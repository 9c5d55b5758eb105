using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary>
/// The gfxstream context type for GFXSTREAM_VULKAN (3) or GFXSTREAM_GLES (8). It makes no
/// RESOURCE_CREATE_3D resources: those go to the device's default 3D type (virgl where it is
/// registered), so gfxstream guests get their memory as blobs.
/// </summary>
public sealed class GfxstreamContextType(GfxstreamRenderer renderer, CapsetId capsetId)
    : RendererContextType(renderer, capsetId, "gfxstream")
{
    private protected override GpuError TryCreateContext(GpuContextSetup setup, out IGpuContext? context) =>
        GfxstreamContext.TryCreate(renderer, CapsetId, setup, out context);
}

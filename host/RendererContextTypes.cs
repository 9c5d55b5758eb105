using CrossDomain.Host.Device;
using CrossDomain.Host.Gfxstream;
using CrossDomain.Host.Virgl;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host;

/// <summary>
/// Registers the 3D context types whose renderer libraries load on this host, filtered by
/// --capsets. A missing renderer costs one log line and its capsets, nothing else.
/// </summary>
public static class RendererContextTypes
{
    public static void RegisterVirgl(ContextTypeRegistry registry, HostServiceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        bool virgl = options.Offers(HostServiceOptions.VirglCapset), virgl2 = options.Offers(HostServiceOptions.Virgl2Capset);
        if (!virgl && !virgl2) return;
        if (VirglRenderer.TryOpen(logger, out _) is not { } renderer) return;
        foreach (var capsetId in renderer.Capsets)
        {
            bool wanted = capsetId == CapsetId.Virgl ? virgl : virgl2;
            if (wanted) registry.Register(new VirglContextType(renderer, capsetId));
        }
    }

    public static void RegisterGfxstream(ContextTypeRegistry registry, HostServiceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        bool vulkan = options.Offers(HostServiceOptions.GfxstreamVulkanCapset), gles = options.Offers(HostServiceOptions.GfxstreamGlesCapset);
        if (!vulkan && !gles) return;
        if (GfxstreamRenderer.TryOpen(logger, out _) is not { } renderer) return;
        foreach (var capsetId in renderer.Capsets)
        {
            bool wanted = capsetId == CapsetId.GfxstreamVulkan ? vulkan : gles;
            if (wanted) registry.Register(new GfxstreamContextType(renderer, capsetId));
        }
    }
}

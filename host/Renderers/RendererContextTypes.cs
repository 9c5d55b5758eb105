using CrossDomain.Host.Device;
using CrossDomain.Host.Renderers.Gfxstream;
using CrossDomain.Host.Renderers.Virgl;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// Registers the 3D context types whose renderer libraries load on this host, filtered by
/// --capsets. A missing renderer costs one log line and its capsets, nothing else.
/// </summary>
public static class RendererContextTypes
{
    public static void RegisterVirgl(ContextTypeRegistry registry, HostServiceOptions options, ILogger logger) =>
        Register(registry, options, [(CapsetId.Virgl, HostServiceOptions.VirglCapset), (CapsetId.Virgl2, HostServiceOptions.Virgl2Capset)],
            () => VirglRenderer.TryOpen(logger, out _), (renderer, capsetId) => new VirglContextType(renderer, capsetId));

    public static void RegisterGfxstream(ContextTypeRegistry registry, HostServiceOptions options, ILogger logger) =>
        Register(registry, options,
            [(CapsetId.GfxstreamVulkan, HostServiceOptions.GfxstreamVulkanCapset), (CapsetId.GfxstreamGles, HostServiceOptions.GfxstreamGlesCapset)],
            () => GfxstreamRenderer.TryOpen(logger, out _), (renderer, capsetId) => new GfxstreamContextType(renderer, capsetId));

    /// <summary>Opens the renderer only when --capsets wants one of its capsets, then registers those it has.</summary>
    private static void Register<TRenderer>(ContextTypeRegistry registry, HostServiceOptions options, (CapsetId Id, string Option)[] capsets,
        Func<TRenderer?> open, Func<TRenderer, CapsetId, IContextType> createType) where TRenderer : RendererLibrary
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        var wanted = capsets.Where(capset => options.Offers(capset.Option)).Select(capset => capset.Id).ToHashSet();
        if (wanted.Count == 0 || open() is not { } renderer) return;
        foreach (var capsetId in renderer.Capsets)
        {
            if (wanted.Contains(capsetId)) registry.Register(createType(renderer, capsetId));
        }
    }
}

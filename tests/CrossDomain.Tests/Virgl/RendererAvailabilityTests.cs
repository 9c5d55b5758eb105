using CrossDomain.Host;
using CrossDomain.Host.Device;
using CrossDomain.Host.Renderers;
using CrossDomain.Host.Renderers.Gfxstream;
using CrossDomain.Host.Renderers.Virgl;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.Virgl;

/// <summary>
/// The "not available" paths of the renderer context types: a missing library is one log line and
/// no capsets. For gfxstream it is the only path this machine has (Debian 12 does not package
/// libgfxstream_backend), so its renderer is never exercised here.
/// </summary>
[Collection(VirglCollection.Name)]
public sealed class RendererAvailabilityTests
{
    [Fact]
    public void A_missing_virglrenderer_is_reported_unavailable_with_the_reason_in_one_log_line()
    {
        var logger = new RecordingLogger();
        var renderer = VirglRenderer.TryOpen("libvirglrenderer-not-here.so.1", logger, out string? problem);
        Assert.Null(renderer);
        Assert.Contains("libvirglrenderer-not-here.so.1 cannot be loaded", problem);
        var line = Assert.Single(logger.Entries);
        Assert.Contains("virgl is not available", line.Message);
        Assert.Contains("VIRGL and VIRGL2 are not offered", line.Message);
    }

    [SkippableFact]
    public void The_virgl_capsets_follow_the_capsets_option()
    {
        VirglAvailability.Require();
        var registry = new ContextTypeRegistry();
        RendererContextTypes.RegisterVirgl(registry, new HostServiceOptions { Capsets = "cross-domain,virgl2" }, new RecordingLogger());
        var type = Assert.Single(registry.InCapsetIdOrder);
        Assert.Equal(CapsetId.Virgl2, type.CapsetId);
        Assert.Same(type, registry.DefaultType);

        var none = new ContextTypeRegistry();
        RendererContextTypes.RegisterVirgl(none, new HostServiceOptions { Capsets = "cross-domain" }, new RecordingLogger());
        Assert.Equal(0, none.Count);
    }

    [Fact]
    public void A_missing_gfxstream_is_reported_unavailable_with_the_reason_in_one_log_line()
    {
        var logger = new RecordingLogger();
        var renderer = GfxstreamRenderer.TryOpen("libgfxstream_backend-not-here.so.0", logger, out string? problem);
        Assert.Null(renderer);
        Assert.Contains("libgfxstream_backend-not-here.so.0 cannot be loaded", problem);
        var line = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("gfxstream is not available", line.Message);
        Assert.Contains("GFXSTREAM_VULKAN and GFXSTREAM_GLES are not offered", line.Message);
    }

    [SkippableFact]
    public void Without_the_library_the_device_offers_no_gfxstream_capset()
    {
        var registry = new ContextTypeRegistry();
        var logger = new RecordingLogger();
        RendererContextTypes.RegisterGfxstream(registry, new HostServiceOptions(), logger);
        Skip.If(registry.Count > 0, "libgfxstream_backend is installed on this machine");
        Assert.Contains(logger.Entries, entry => entry.Message.Contains("gfxstream is not available", StringComparison.Ordinal));

        var crossDomain = new FakeTimelineContextType(CapsetId.CrossDomain);
        using var host = new InProcessHostService([crossDomain, .. registry.InCapsetIdOrder]);
        using var gpu = LocalVirtioGpu.Connect(host.SocketPath);
        ulong offered = gpu.GetParam(VirtgpuParam.SupportedCapsetIds);
        Assert.Equal(1ul << (int)CapsetId.CrossDomain, offered);
        Assert.Throws<VirtioGpuDriverException>(() => gpu.InitContext((uint)CapsetId.GfxstreamVulkan, 1, 0));
    }
}

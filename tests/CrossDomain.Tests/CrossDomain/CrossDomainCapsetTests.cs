using System.Runtime.InteropServices;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>GET_CAPSET_INFO and GET_CAPSET(5) as PROTOCOL.md B.1 has them, and our extension word after them.</summary>
public sealed class CrossDomainCapsetTests
{
    [Fact]
    public void Capset_info_is_version_0_of_rutabagas_16_bytes_and_our_extension_word()
    {
        using var device = new CrossDomainDevice("/tmp/compositor");
        var info = device.Harness.SendOk(GpuRequests.GetCapsetInfo(0), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>();
        Assert.Equal(CapsetId.CrossDomain, info.CapsetId);
        Assert.Equal(0u, info.CapsetMaxVersion);
        Assert.Equal(20u, info.CapsetMaxSize);
    }

    [Fact]
    public void With_a_compositor_the_capset_offers_the_Wayland_channel_and_no_dmabuf()
    {
        var capabilities = ReadCapabilities("/tmp/compositor");
        Assert.Equal(1u, capabilities.Version);
        Assert.Equal(1u << (int)ChannelType.Wayland, capabilities.SupportedChannels);
        Assert.Equal(0u, capabilities.SupportsDmabuf);
        Assert.Equal(0u, capabilities.SupportsExternalGpuMemory);
        Assert.Equal(CrossDomainExtensions.GuestMemoryTransfers, capabilities.Extensions);
    }

    [Fact]
    public void Without_a_compositor_no_channel_is_offered()
    {
        Assert.Equal(0u, ReadCapabilities(compositorSocketPath: null).SupportedChannels);
    }

    [Fact]
    public void A_relative_compositor_path_is_refused_when_the_type_is_made()
    {
        Assert.Throws<ArgumentException>(() => new CrossDomainContextType(new CrossDomainOptions { WaylandSocketPath = "wayland-0" }, new RecordingLogger()));
    }

    private static CrossDomainCapabilities ReadCapabilities(string? compositorSocketPath)
    {
        using var device = new CrossDomainDevice(compositorSocketPath);
        return ReadCapabilities(device.Harness);
    }

    /// <summary>GET_CAPSET(5, 0) as a guest kernel sends it; the GBM tests read dma-buf support through it too.</summary>
    internal static CrossDomainCapabilities ReadCapabilities(DeviceHarness harness)
    {
        var reply = harness.SendOk(GpuRequests.GetCapset(CapsetId.CrossDomain, 0), CommandType.OkCapset);
        Assert.Equal(24 + (int)CrossDomainCapabilities.CapsetMaxSize, reply.Response.Length);
        return MemoryMarshal.Read<CrossDomainCapabilities>(reply.Response.AsSpan(24));
    }
}

using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// supports_dmabuf and image templates with and without a GBM allocator (PROTOCOL.md B.1, B.5,
/// B.7): dma-bufs only where the host really makes them, memfds everywhere else.
/// </summary>
public sealed class GbmImageRequirementsTests
{
    private const uint Argb8888 = 0x34325241;

    [Fact]
    public void Without_a_render_node_there_is_no_dmabuf_support_and_templates_are_memfds()
    {
        var gbm = GbmAllocator.TryOpen("/nonexistent/dri/renderD128", new RecordingLogger());
        using var device = new CrossDomainDevice("/tmp/compositor", gbm: gbm);
        Assert.Equal(0u, CrossDomainCapsetTests.ReadCapabilities(device.Harness).SupportsDmabuf);

        var guest = device.CreateGuest(1).CreateRings().Init(ChannelType.None);
        var requirements = guest.GetImageRequirements(256, 256, Argb8888);
        Assert.Equal(1024u, requirements.Strides[0]);
        Assert.Equal(0ul, requirements.Modifier);
        var memory = CreateBlobMemory(device, guest, requirements);
        Assert.Equal(MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal, MemFd.GetSeals(memory.Handle));
        Assert.StartsWith("/memfd:", LinkTarget(memory.Handle), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void With_a_render_node_the_capset_offers_dmabufs()
    {
        Skip.IfNot(HostGbm.IsPresent, HostGbm.SkipReason);
        using var gbm = HostGbm.Open();
        using var device = new CrossDomainDevice("/tmp/compositor", gbm: gbm);
        Assert.Equal(1u, CrossDomainCapsetTests.ReadCapabilities(device.Harness).SupportsDmabuf);
    }

    [SkippableFact]
    public void With_a_render_node_a_template_makes_dmabuf_blobs_of_its_size()
    {
        Skip.IfNot(HostGbm.IsPresent, HostGbm.SkipReason);
        using var gbm = HostGbm.Open();
        using var device = new CrossDomainDevice("/tmp/compositor", gbm: gbm);
        var guest = device.CreateGuest(1).CreateRings().Init(ChannelType.None);

        var requirements = guest.GetImageRequirements(256, 256, Argb8888);
        Assert.True(requirements.Strides[0] >= 1024, $"stride {requirements.Strides[0]}");
        Assert.True(requirements.Size >= (ulong)requirements.Strides[0] * 256);
        Assert.Equal(requirements.BlobId, guest.GetImageRequirements(256, 256, Argb8888).BlobId);

        var first = CreateBlobMemory(device, guest, requirements);
        var second = CreateBlobMemory(device, guest, requirements);
        foreach (var memory in new[] { first, second })
        {
            Assert.Contains("dmabuf", LinkTarget(memory.Handle), StringComparison.Ordinal);
            Assert.Equal(requirements.Size, memory.Size);
            Assert.Equal(requirements.Size, ImageTemplateSize(memory.Handle));
            Assert.Equal(MapCacheType.Cached, memory.CacheType);
            Assert.True(memory.IsWritable);
        }
        Assert.NotEqual(LinkTarget(first.Handle), LinkTarget(second.Handle));
    }

    [SkippableFact]
    public void A_gbm_probe_larger_than_the_devices_host_memory_is_not_made()
    {
        Skip.IfNot(HostGbm.IsPresent, HostGbm.SkipReason);
        using var gbm = HostGbm.Open();
        using var device = new CrossDomainDevice("/tmp/compositor", gbm: gbm, deviceLimits: new DeviceLimits { MaxHostMemoryBytes = 1 << 20 });
        var guest = device.CreateGuest(1).CreateRings().Init(ChannelType.None);
        ulong before = device.Harness.Device.HostMemoryInUse;

        guest.SubmitFails(CrossDomainCommands.GetImageRequirements(1024, 1024, Argb8888), GpuError.OutOfMemory);
        Assert.Equal(before, device.Harness.Device.HostMemoryInUse);
        Assert.NotEqual(0ul, guest.GetImageRequirements(64, 64, Argb8888).Size);
    }

    private static HostBlob CreateBlobMemory(CrossDomainDevice device, CrossDomainGuest guest, CrossDomainImageRequirements requirements)
    {
        uint resourceId = guest.CreateHostBlob(requirements.BlobId, requirements.Size);
        Assert.True(device.Harness.Device.TryGetResource(resourceId, out var resource));
        return ((BlobResource)resource).HostMemory!;
    }

    /// <summary>The fd's size page-rounded, as templates state it.</summary>
    private static ulong ImageTemplateSize(FileDescriptor fd) => ((ulong)MemFd.GetSize(fd) + 4095) / 4096 * 4096;

    /// <summary>What /proc says the fd is: "/memfd:name (deleted)", "/dmabuf:" and so on.</summary>
    private static string? LinkTarget(FileDescriptor fd) => new FileInfo($"/proc/self/fd/{fd.Fd}").LinkTarget;
}

using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>GET_IMAGE_REQUIREMENTS templates and the HOST3D blobs made from them (PROTOCOL.md B.5, B.7).</summary>
public sealed class ImageRequirementsTests : IDisposable
{
    private const uint Argb8888 = 0x34325241;
    private const uint Xrgb8888 = 0x34325258;
    private const uint Abgr8888 = 0x34324241;
    private const uint Xbgr8888 = 0x34324258;
    private const uint Rgb565 = 0x36314752;
    private const uint Rgb888 = 0x34324752;
    private const uint R8 = 0x20203852;
    private const uint Abgr16161616F = 0x48344241;
    private const uint Nv12 = 0x3231564E;

    /// <summary>Host items are counted from 2 (magma-gpu/rutabaga_gfx), so a context's first template is item 2.</summary>
    private const uint HostItemsFirstId = 2;

    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public ImageRequirementsTests()
    {
        _device = new CrossDomainDevice(compositorSocketPath: null, new CrossDomainContextLimits { MaxImageTemplates = 8, MaxImageBytes = 64 << 20 });
        _guest = _device.CreateGuest(1).CreateRings().Init(ChannelType.None);
    }

    [Fact]
    public void A_256_by_256_argb8888_image_is_linear_with_1024_byte_rows()
    {
        var requirements = _guest.GetImageRequirements(256, 256, Argb8888);
        Assert.Equal(1024u, requirements.Strides[0]);
        Assert.Equal([0u, 0u, 0u], new[] { requirements.Strides[1], requirements.Strides[2], requirements.Strides[3] });
        Assert.Equal([0u, 0u, 0u, 0u], new[] { requirements.Offsets[0], requirements.Offsets[1], requirements.Offsets[2], requirements.Offsets[3] });
        Assert.Equal(0ul, requirements.Modifier);
        Assert.Equal(256ul * 1024, requirements.Size);
        Assert.Equal(HostItemsFirstId, requirements.BlobId);
        Assert.Equal((uint)MapCacheType.Cached | MapInfoBits.AccessReadWrite, requirements.MapInfo);
        Assert.Equal(-1, requirements.MemoryIndex);
        Assert.Equal(-1, requirements.PhysicalDeviceIndex);
    }

    [Theory]
    [InlineData(Argb8888, 100u, 3u, 448u)]
    [InlineData(Xrgb8888, 640u, 480u, 2560u)]
    [InlineData(Abgr8888, 1u, 1u, 64u)]
    [InlineData(Xbgr8888, 17u, 5u, 128u)]
    [InlineData(Rgb565, 33u, 2u, 128u)]
    [InlineData(Rgb888, 100u, 10u, 320u)]
    [InlineData(R8, 10u, 1u, 64u)]
    [InlineData(R8, 1_000_000u, 1u, 1_000_000u)]
    [InlineData(Abgr16161616F, 10u, 10u, 128u)]
    public void Rows_are_aligned_to_64_bytes_and_sizes_to_pages(uint format, uint width, uint height, uint stride)
    {
        var requirements = _guest.GetImageRequirements(width, height, format);
        Assert.Equal(stride, requirements.Strides[0]);
        Assert.Equal(CrossDomainGuest.PageAligned((ulong)stride * height), requirements.Size);
    }

    [Fact]
    public void The_same_request_gets_the_same_template_and_another_request_another()
    {
        uint first = _guest.GetImageRequirements(64, 64, Argb8888).BlobId;
        Assert.Equal(first, _guest.GetImageRequirements(64, 64, Argb8888).BlobId);
        var others = new[]
        {
            _guest.GetImageRequirements(64, 65, Argb8888).BlobId,
            _guest.GetImageRequirements(65, 64, Argb8888).BlobId,
            _guest.GetImageRequirements(64, 64, Xrgb8888).BlobId,
            _guest.GetImageRequirements(64, 64, Argb8888, ImageUsageFlags.Linear).BlobId,
        };
        Assert.Equal(others.Length + 1, others.Append(first).Distinct().Count());
        Assert.Equal(first, _guest.GetImageRequirements(64, 64, Argb8888).BlobId);
    }

    [Theory]
    [InlineData(Nv12, 64u, 64u)]
    [InlineData(0u, 64u, 64u)]
    [InlineData(Argb8888, 0u, 64u)]
    [InlineData(Argb8888, 64u, 0u)]
    [InlineData(Abgr16161616F, 65535u, 65535u)]
    [InlineData(R8, uint.MaxValue, uint.MaxValue)]
    public void Unknown_formats_and_empty_or_huge_images_are_refused(uint format, uint width, uint height)
    {
        _guest.SubmitFails(CrossDomainCommands.GetImageRequirements(width, height, format), GpuError.InvalidParameter);
    }

    [Fact]
    public void Templates_are_bounded_per_context()
    {
        for (uint width = 1; width <= 8; width++) _guest.GetImageRequirements(width, 1, R8);
        _guest.SubmitFails(CrossDomainCommands.GetImageRequirements(9, 1, R8), GpuError.OutOfMemory);
        // Known ones are still answered.
        Assert.Equal(HostItemsFirstId, _guest.GetImageRequirements(1, 1, R8).BlobId);
    }

    [Fact]
    public void Templates_count_against_the_devices_host_memory_until_the_context_goes()
    {
        const long Budget = 16 << 10;
        using var device = new CrossDomainDevice(compositorSocketPath: null, new CrossDomainContextLimits { MaxImageTemplates = 1 << 20 },
            new DeviceLimits { MaxHostMemoryBytes = Budget });
        var guest = device.CreateGuest(1).CreateRings().Init(ChannelType.None);
        ulong rings = device.Harness.Device.HostMemoryInUse;
        guest.GetImageRequirements(1, 1, R8);
        ulong perTemplate = device.Harness.Device.HostMemoryInUse - rings;
        Assert.NotEqual(0ul, perTemplate);

        uint fit = (uint)(((ulong)Budget - rings) / perTemplate);
        for (uint width = 2; width <= fit; width++) guest.GetImageRequirements(width, 1, R8);
        guest.SubmitFails(CrossDomainCommands.GetImageRequirements(fit + 1, 1, R8), GpuError.OutOfMemory);
        // Known ones cost nothing more.
        Assert.Equal(HostItemsFirstId, guest.GetImageRequirements(1, 1, R8).BlobId);

        device.Harness.SendOk(GpuRequests.DestroyContext(1));
        Assert.Equal(rings, device.Harness.Device.HostMemoryInUse);
    }

    [Fact]
    public void A_short_request_is_malformed()
    {
        var command = CrossDomainCommands.GetImageRequirements(64, 64, Argb8888)[..16];
        command[2] = 16;
        _guest.SubmitFails(command, GpuError.Unspecified);
    }

    [Fact]
    public void Each_blob_of_a_template_is_new_memory_of_exactly_its_size()
    {
        var requirements = _guest.GetImageRequirements(256, 256, Argb8888);
        uint first = _guest.CreateHostBlob(requirements.BlobId, requirements.Size);
        uint second = _guest.CreateHostBlob(requirements.BlobId, requirements.Size);
        ulong firstOffset = _guest.MapHostBlob(first, requirements.Size);
        ulong secondOffset = _guest.MapHostBlob(second, requirements.Size);
        _device.Harness.Window.MappedAt(firstOffset, 4).Fill(0xAB);
        Assert.Equal(0, _device.Harness.Window.MappedAt(secondOffset, 4)[0]);

        Assert.True(_device.Harness.Device.TryGetResource(first, out var resource));
        var memory = ((BlobResource)resource).HostMemory!;
        Assert.Equal((long)requirements.Size, MemFd.GetSize(memory.Handle));
        Assert.True(memory.IsWritable);
        Assert.Equal(MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Seal, MemFd.GetSeals(memory.Handle));
    }

    [Fact]
    public void A_blob_must_have_its_templates_size_and_a_known_id()
    {
        var requirements = _guest.GetImageRequirements(256, 256, Argb8888);
        SendBlobFails(requirements.BlobId, requirements.Size + 4096, BlobMemory.Host3D);
        SendBlobFails(requirements.BlobId, requirements.Size - 4096, BlobMemory.Host3D);
        SendBlobFails(requirements.BlobId + 100, requirements.Size, BlobMemory.Host3D);
        SendBlobFails(requirements.BlobId | (1ul << 32), requirements.Size, BlobMemory.Host3D);
        SendBlobFails(requirements.BlobId, requirements.Size + 4096, BlobMemory.Host3DGuest, GpuRequests.Entry(_device.AllocateGuestPages(65), 65 * 4096));
        // The two rings, and no blob.
        Assert.Equal(2, _device.Harness.Device.ResourceCount);
    }

    private void SendBlobFails(ulong blobId, ulong size, BlobMemory memory, params MemoryEntry[] entries) =>
        _device.Harness.SendFails(GpuRequests.CreateBlob(_device.NextResourceId(), memory, BlobFlags.UseMappable, size,
            _guest.ContextId, blobId, entries), GpuError.InvalidParameter);

    public void Dispose() => _device.Dispose();
}

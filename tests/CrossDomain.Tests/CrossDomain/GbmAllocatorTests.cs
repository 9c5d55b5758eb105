using CrossDomain.Host.CrossDomain.Gbm;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>The GBM allocator: a clear "not available" without a render node, dma-bufs with one.</summary>
public sealed class GbmAllocatorTests
{
    private const uint Argb8888 = 0x34325241;

    /// <summary>What gbm_bo_get_modifier answers when the driver does not say (DRM_FORMAT_MOD_INVALID).</summary>
    private const ulong InvalidModifier = 0x00ff_ffff_ffff_ffff;

    [Fact]
    public void A_missing_render_node_gives_no_allocator_and_one_line_saying_so()
    {
        var logger = new RecordingLogger();
        Assert.Null(GbmAllocator.TryOpen("/nonexistent/dri/renderD128", logger));
        var entry = Assert.Single(logger.Entries);
        Assert.Contains("no render node at /nonexistent/dri/renderD128", entry.Message, StringComparison.Ordinal);
        Assert.Null(entry.Exception);
    }

    [Fact]
    public void A_device_that_is_not_a_render_node_gives_no_allocator()
    {
        var logger = new RecordingLogger();
        Assert.Null(GbmAllocator.TryOpen("/dev/null", logger));
        Assert.Contains("/dev/null is not a DRM device", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_opened_gives_no_allocator()
    {
        var logger = new RecordingLogger();
        // A directory: it exists, but cannot be opened for reading and writing.
        Assert.Null(GbmAllocator.TryOpen("/proc/self", logger));
        Assert.Contains("cannot open /proc/self", Assert.Single(logger.Entries).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_render_node_is_the_conventional_path_when_there_is_none()
    {
        string first = RenderNodes.First();
        if (Directory.Exists(RenderNodes.Directory) && Directory.EnumerateFileSystemEntries(RenderNodes.Directory, "renderD*").Any())
            Assert.StartsWith("/dev/dri/renderD", first, StringComparison.Ordinal);
        else
            Assert.Equal(RenderNodes.Conventional, first);
    }

    [SkippableFact]
    public void A_256_by_256_argb8888_buffer_is_a_dmabuf_with_its_layout()
    {
        Skip.IfNot(HostGbm.IsPresent, HostGbm.SkipReason);
        using var gbm = HostGbm.Open();
        Assert.True(gbm.IsFormatSupported(Argb8888, ImageUsageFlags.Linear));
        Assert.True(gbm.TryAllocate(256, 256, Argb8888, ImageUsageFlags.Linear, out var buffer));
        using (buffer)
        {
            Assert.True(buffer.Strides[0] >= 1024, $"stride {buffer.Strides[0]}");
            Assert.True(buffer.Modifier is 0 or InvalidModifier, $"a LINEAR buffer has modifier 0x{buffer.Modifier:x}");
            long fdSize = MemFd.GetSize(buffer.Dmabuf);
            Assert.True((ulong)fdSize >= (ulong)buffer.Strides[0] * 256, $"dma-buf of {fdSize} bytes");
            Assert.Equal(0ul, buffer.Size % 4096);
            Assert.True(buffer.Size >= (ulong)fdSize);
            Assert.Contains("dmabuf", new FileInfo($"/proc/self/fd/{buffer.Dmabuf.Fd}").LinkTarget, StringComparison.Ordinal);
        }
    }
}

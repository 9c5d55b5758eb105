using System.Diagnostics.CodeAnalysis;
using System.Text;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace CrossDomain.Host.CrossDomain.Gbm;

/// <summary>
/// GBM on a render node: dma-buf images for cross-domain guests, with whatever layout and
/// modifier the host driver chooses. A host without a render node or libgbm has none, and then
/// offers memfd images and no dma-buf support (PROTOCOL.md B.1).
/// <para>
/// Used from the device's loop thread only, like the contexts that allocate from it.
/// </para>
/// </summary>
public sealed unsafe class GbmAllocator : IDisposable
{
    private readonly FileDescriptor _renderNode;
    private nint _device;

    private GbmAllocator(FileDescriptor renderNode, nint device, string renderNodePath)
    {
        _renderNode = renderNode;
        _device = device;
        RenderNodePath = renderNodePath;
    }

    public string RenderNodePath { get; }

    /// <summary>
    /// A GBM device on <paramref name="renderNodePath"/>, or null when the host cannot allocate
    /// dma-bufs there; either way one line tells the log which, and why.
    /// </summary>
    public static GbmAllocator? TryOpen(string renderNodePath, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(renderNodePath);
        ArgumentNullException.ThrowIfNull(logger);
        var allocator = TryOpen(renderNodePath, out string? reason);
        if (allocator is null) GbmLog.Unavailable(logger, reason!);
        else GbmLog.Opened(logger, renderNodePath);
        return allocator;
    }

    private static GbmAllocator? TryOpen(string renderNodePath, out string? reason)
    {
        if (!Path.Exists(renderNodePath))
        {
            reason = $"no render node at {renderNodePath}";
            return null;
        }
        var renderNode = OpenReadWrite(renderNodePath, out int errno);
        if (renderNode is null)
        {
            reason = $"cannot open {renderNodePath}: errno {errno}";
            return null;
        }
        if (!RenderNodes.IsDrmDevice(renderNode))
        {
            renderNode.Dispose();
            reason = $"{renderNodePath} is not a DRM device";
            return null;
        }
        if (!GbmNative.TryLoad(out reason))
        {
            renderNode.Dispose();
            return null;
        }
        nint device = GbmNative.CreateDevice(renderNode.Fd);
        if (device == 0)
        {
            renderNode.Dispose();
            reason = $"gbm_create_device failed on {renderNodePath}";
            return null;
        }
        reason = null;
        return new GbmAllocator(renderNode, device, renderNodePath);
    }

    public bool IsFormatSupported(uint drmFormat, ImageUsageFlags usage)
    {
        ObjectDisposedException.ThrowIf(_device == 0, this);
        return GbmNative.IsFormatSupported(_device, drmFormat, GbmUsage.From(usage)) != 0;
    }

    /// <summary>
    /// A new buffer, or false when GBM refuses the format, size or usage (or runs out of memory or
    /// fds): the caller decides what a guest gets instead. Sizes are the caller's to bound.
    /// </summary>
    public bool TryAllocate(uint width, uint height, uint drmFormat, ImageUsageFlags usage, [NotNullWhen(true)] out GbmBuffer? buffer)
    {
        ObjectDisposedException.ThrowIf(_device == 0, this);
        buffer = null;
        nint bo = GbmNative.CreateBuffer(_device, width, height, drmFormat, GbmUsage.From(usage));
        if (bo == 0) return false;
        try
        {
            int planeCount = GbmNative.GetPlaneCount(bo);
            if (planeCount is < 1 or > GbmBuffer.MaxPlanes) return false;
            var strides = new uint[GbmBuffer.MaxPlanes];
            var offsets = new uint[GbmBuffer.MaxPlanes];
            for (int plane = 0; plane < planeCount; plane++)
            {
                strides[plane] = GbmNative.GetStrideForPlane(bo, plane);
                offsets[plane] = GbmNative.GetOffset(bo, plane);
            }
            ulong modifier = GbmNative.GetModifier(bo);
            int fd = GbmNative.GetFd(bo);
            if (fd < 0) return false;
            var dmabuf = new FileDescriptor(fd);
            long size = lseek(fd, 0, 2 /* SEEK_END */);
            if (size <= 0)
            {
                dmabuf.Dispose();
                return false;
            }
            buffer = new GbmBuffer(dmabuf, strides, offsets, modifier, ImageTemplate.RoundUpToPage((ulong)size));
            return true;
        }
        finally
        {
            // The dma-buf keeps the memory; the bo is only the handle we asked questions through.
            GbmNative.DestroyBuffer(bo);
        }
    }

    public void Dispose()
    {
        if (_device == 0) return;
        GbmNative.DestroyDevice(_device);
        _device = 0;
        // Only after the device: GBM uses the fd until it is destroyed.
        _renderNode.Dispose();
    }

    private static FileDescriptor? OpenReadWrite(string path, out int errno)
    {
        errno = 0;
        byte[] pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* pathPointer = pathBytes)
        {
            int fd = open(pathPointer, O_RDWR | O_CLOEXEC);
            if (fd >= 0) return new FileDescriptor(fd);
            errno = Errno.Last;
            return null;
        }
    }
}

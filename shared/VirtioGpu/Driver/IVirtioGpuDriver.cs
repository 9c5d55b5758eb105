using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Linux;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>
/// A virtio-gpu device as the Linux guest uAPI presents it (PROTOCOL.md C): one open render node
/// with one context. The guest proxy speaks only this interface, so the kernel transport
/// (<c>/dev/dri/renderD128</c>) and the local transport (our own front-end over vhost-user) are
/// interchangeable. Errors are reported as <see cref="VirtioGpuDriverException"/> carrying the
/// errno the kernel would have returned.
/// </summary>
public interface IVirtioGpuDriver : IDisposable
{
    /// <summary>DRM_IOCTL_VIRTGPU_GETPARAM.</summary>
    ulong GetParam(VirtgpuParam param);

    /// <summary>DRM_IOCTL_VIRTGPU_GET_CAPS: copies up to <paramref name="destination"/>.Length bytes; returns how many.</summary>
    int GetCaps(uint capsetId, uint version, Span<byte> destination);

    /// <summary>DRM_IOCTL_VIRTGPU_CONTEXT_INIT; must come before anything else that needs a context.</summary>
    void InitContext(uint capsetId, uint ringCount, ulong pollRingMask);

    /// <summary>DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, followed (for MAPPABLE host blobs) by the map request.</summary>
    BlobHandle CreateBlob(VirtgpuBlobMemory memory, VirtgpuBlobFlags flags, ulong size, ulong blobId);

    /// <summary>
    /// DRM_IOCTL_VIRTGPU_RESOURCE_CREATE: a RESOURCE_CREATE_3D resource with <c>Size</c> bytes of guest
    /// backing attached (at least a page), attached to the context; fills <c>BoHandle</c> and
    /// <c>ResourceHandle</c>. <see cref="Map"/> then reaches the backing.
    /// </summary>
    void CreateResource(ref DrmVirtgpuResourceCreate create);

    /// <summary>
    /// DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST: TRANSFER_TO_HOST_3D from the buffer's backing, queued as
    /// Linux queues it (Mesa does not wait either): the device takes commands in order, so whatever
    /// is sent after it finds the copy made. <see cref="Wait"/> on the buffer says when it is done.
    /// </summary>
    void TransferToHost(in DrmVirtgpu3DTransfer transfer);

    /// <summary>DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST: TRANSFER_FROM_HOST_3D into the buffer's backing; returns when the host is done.</summary>
    void TransferFromHost(in DrmVirtgpu3DTransfer transfer);

    /// <summary>DRM_IOCTL_VIRTGPU_MAP + mmap: the blob's memory in this process, valid until the buffer is closed.</summary>
    MappedBlob Map(uint bufferHandle);

    /// <summary>
    /// DRM_IOCTL_VIRTGPU_EXECBUFFER: <paramref name="commands"/> become a SUBMIT_3D. A fence is made
    /// when <paramref name="bufferHandles"/> is not empty or the ring is in the poll mask, as Linux does.
    /// </summary>
    void Submit(ReadOnlySpan<byte> commands, uint? ringIndex, ReadOnlySpan<uint> bufferHandles);

    /// <summary>DRM_IOCTL_VIRTGPU_WAIT: true when the buffer's fences have signalled (false on timeout or with <paramref name="noWait"/>).</summary>
    bool Wait(uint bufferHandle, bool noWait, TimeSpan timeout);

    /// <summary>
    /// Readable when a fence on a poll ring signalled, until <see cref="TryReadFenceEvent"/> consumes
    /// it: the DRM fd itself in kernel mode (its fence events), an eventfd in local mode.
    /// </summary>
    FileDescriptor FenceNotificationFd { get; }

    /// <summary>
    /// Readable once the device is gone for good (local mode: the host service closed the vhost-user
    /// connection), when no fence will ever signal again; null where the device cannot go away
    /// under a process (a kernel's virtio-gpu).
    /// </summary>
    FileDescriptor? DeviceGoneFd { get; }

    /// <summary>
    /// The render node's device number (<c>st_rdev</c>), which zwp_linux_dmabuf_feedback_v1 names
    /// as the device clients allocate on; null where clients have no such node to render on (local
    /// mode), and so no dma-bufs to give.
    /// </summary>
    ulong? RenderNodeDevice { get; }

    /// <summary>Consumes one VIRTGPU_EVENT_FENCE_SIGNALED event; false when none is pending.</summary>
    bool TryReadFenceEvent();

    /// <summary>DRM_IOCTL_VIRTGPU_RESOURCE_INFO: the virtio resource id behind a buffer handle.</summary>
    uint GetResourceId(uint bufferHandle);

    /// <summary>DRM_IOCTL_GEM_CLOSE.</summary>
    void CloseBuffer(uint bufferHandle);

    /// <summary>
    /// DRM_IOCTL_PRIME_FD_TO_HANDLE: the buffer handle of a dma-buf this device exported (the same
    /// handle each time for the same buffer). A client's dmabuf goes to the host as that buffer's
    /// resource, with no copy; the kernel attaches a newly imported buffer to this file's context.
    /// </summary>
    uint ImportDmabuf(FileDescriptor dmabuf);

    /// <summary>
    /// DRM_IOCTL_PRIME_HANDLE_TO_FD with DRM_CLOEXEC | DRM_RDWR: a dma-buf fd of the buffer, to hand
    /// to a Wayland client (writable, so it can be mapped for writing).
    /// </summary>
    FileDescriptor ExportDmabuf(uint bufferHandle);
}

/// <summary>Where a mapped blob's bytes are in this process.</summary>
public sealed unsafe class MappedBlob(nint address, long length)
{
    public nint Address { get; } = address;

    public long Length { get; } = length;

    public Span<byte> GetSpan(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside a blob of {Length} bytes.");
        return new Span<byte>((byte*)Address + offset, length);
    }
}

/// <summary>A buffer handle (GEM handle) and the device-global resource id behind it.</summary>
public readonly record struct BlobHandle(uint BufferHandle, uint ResourceId);

/// <summary>A uAPI call that failed, with the errno the Linux driver returns in that case.</summary>
public sealed class VirtioGpuDriverException(string message, int errno) : Exception(message)
{
    public int Errno { get; } = errno;
}

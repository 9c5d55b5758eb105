using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>
/// The three things <see cref="KernelVirtioGpu"/> does with an open DRM file: ioctl, read of
/// events, mmap. It is the seam between the uAPI marshalling and the syscalls, so tests can see
/// the exact request numbers and argument bytes without a virtio-gpu device.
/// </summary>
public interface IDrmRenderNode : IDisposable
{
    /// <summary>The path it was opened from, for error messages.</summary>
    string Path { get; }

    /// <summary>The open file; it polls readable while DRM events are queued on it.</summary>
    FileDescriptor Handle { get; }

    /// <summary>
    /// ioctl with <paramref name="argument"/> read and written in place. Returns 0 or the errno.
    /// Any user pointer inside the argument must stay valid (pinned) for the duration of the call.
    /// </summary>
    int Ioctl(uint request, Span<byte> argument);

    /// <summary>
    /// A non-blocking <c>read()</c> of whole DRM events. <see cref="IoStatus.EndOfStream"/> (0 bytes)
    /// means the next event does not fit in <paramref name="destination"/>; the kernel keeps it queued.
    /// </summary>
    IoResult Read(Span<byte> destination);

    /// <summary><c>mmap</c> of <paramref name="length"/> bytes at the fake offset that VIRTGPU_MAP returned.</summary>
    MemoryMapping Map(ulong offset, long length);
}

using System.ComponentModel;
using System.Text;
using CrossDomain.Interop;
using Tmds.Linux;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>A DRM device file opened read-write, non-blocking (so a read with no event pending returns at once).</summary>
public sealed unsafe class DrmRenderNode : IDrmRenderNode
{
    private DrmRenderNode(string path, FileDescriptor handle)
    {
        Path = path;
        Handle = handle;
    }

    public string Path { get; }

    public FileDescriptor Handle { get; }

    /// <summary>Opens <paramref name="path"/>; a failure names the path and says what a missing node usually means.</summary>
    public static DrmRenderNode Open(string path)
    {
        byte* utf8 = stackalloc byte[Encoding.UTF8.GetByteCount(path) + 1];
        int length = Encoding.UTF8.GetBytes(path, new Span<byte>(utf8, int.MaxValue));
        utf8[length] = 0;
        int fd;
        do fd = LibC.open(utf8, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        while (fd < 0 && Errno.Last == LibC.EINTR);
        if (fd >= 0) return new DrmRenderNode(path, new FileDescriptor(fd));

        int errno = Errno.Last;
        string hint = errno == LibC.ENOENT ? "; is this a VM with a virtio-gpu device and the virtio_gpu module loaded?"
            : errno == LibC.EACCES ? "; the user needs access to it, usually through the 'render' group" : "";
        throw new VirtioGpuDriverException(
            $"cannot open the virtio-gpu render node {path}: {new Win32Exception(errno).Message} (errno {errno}){hint}", errno);
    }

    public int Ioctl(uint request, Span<byte> argument)
    {
        fixed (byte* pointer = argument)
        {
            while (true)
            {
                if (LibC.ioctl(Handle.Fd, unchecked((int)request), pointer) >= 0) return 0;
                int errno = Errno.Last;
                // libdrm's drmIoctl retries these too: an interrupted ioctl has had no effect.
                if (errno != LibC.EINTR && errno != LibC.EAGAIN) return errno;
            }
        }
    }

    public IoResult Read(Span<byte> destination)
    {
        fixed (byte* pointer = destination)
        {
            while (true)
            {
                long count = LibC.read(Handle.Fd, pointer, (size_t)(ulong)destination.Length);
                if (count > 0) return IoResult.Done((int)count);
                if (count == 0) return IoResult.EndOfStream;
                int errno = Errno.Last;
                if (errno == LibC.EINTR) continue;
                return Errno.IsWouldBlock(errno) ? IoResult.WouldBlock : IoResult.Failed(errno);
            }
        }
    }

    public MemoryMapping Map(ulong offset, long length) => MemoryMapping.Map(Handle, length, checked((long)offset));

    public void Dispose() => Handle.Dispose();
}

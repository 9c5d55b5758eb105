using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Linux;
using Tmds.Linux;

namespace CrossDomain.VirtioGpu.Driver;

/// <summary>
/// The kernel transport: the Linux virtio_gpu driver, through the virtgpu ioctls on a DRM render
/// node (PROTOCOL.md C). The kernel itself does everything <see cref="LocalVirtioGpu"/> imitates
/// (CTX_ATTACH_RESOURCE for new blobs, fences on listed buffers and polled rings, the 15 s WAIT),
/// so this class only marshals arguments and turns errno into <see cref="VirtioGpuDriverException"/>.
/// One instance is one open file with one context; not thread-safe.
/// <para>
/// Running it for real needs a VM with a virtio-gpu device (the VM test tier); the unit tests
/// drive it through a recording <see cref="IDrmRenderNode"/> and check every request number and
/// argument byte.
/// </para>
/// </summary>
public sealed unsafe class KernelVirtioGpu : IVirtioGpuDriver
{
    public const string DefaultDevicePath = "/dev/dri/renderD128";

    /// <summary>What DRM_IOCTL_VERSION names the virtio-gpu driver.</summary>
    public const string DriverName = "virtio_gpu";

    /// <summary>The kernel's WAIT gives up after this long, and it cannot be told to give up sooner.</summary>
    public static readonly TimeSpan KernelWaitLimit = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan LongestPollInterval = TimeSpan.FromMilliseconds(10);

    private readonly IDrmRenderNode _node;
    private readonly DrmFenceEventReader _fenceEvents;
    private readonly Dictionary<uint, MemoryMapping> _mappings = [];

    /// <summary>Sizes of the blobs made here, so a map needs no RESOURCE_INFO round trip.</summary>
    private readonly Dictionary<uint, long> _blobSizes = [];

    private KernelVirtioGpu(IDrmRenderNode node)
    {
        _node = node;
        _fenceEvents = new DrmFenceEventReader(node);
        stat status;
        // A recording fake's handle is no device file: it then offers no dma-bufs.
        if (LibC.fstat(node.Handle.Fd, &status) == 0 && (status.st_mode & LibC.S_IFMT) == LibC.S_IFCHR) RenderNodeDevice = status.st_rdev;
    }

    public FileDescriptor FenceNotificationFd => _node.Handle;

    public FileDescriptor? DeviceGoneFd => null;

    public ulong? RenderNodeDevice { get; }

    /// <summary>Opens a render node (a fresh file, so a fresh context) and checks that virtio_gpu drives it.</summary>
    public static KernelVirtioGpu Open(string devicePath = DefaultDevicePath) => Over(DrmRenderNode.Open(devicePath));

    /// <summary>Takes ownership of an open DRM file (disposing it if it is not virtio_gpu's).</summary>
    public static KernelVirtioGpu Over(IDrmRenderNode node)
    {
        try
        {
            string driver = DriverNameOf(node);
            if (driver != DriverName)
                throw new VirtioGpuDriverException($"{node.Path} is driven by '{driver}', not {DriverName}: pass the virtio-gpu render node with --device", LibC.ENODEV);
            return new KernelVirtioGpu(node);
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    public ulong GetParam(VirtgpuParam param)
    {
        // The kernel writes a 32-bit int through the pointer, even for the capset bitmask.
        int value = 0;
        var argument = new DrmVirtgpuGetParam { Param = param, Value = UserPointer(&value) };
        Invoke(DrmIoctl.VirtgpuGetParam, ref argument, "VIRTGPU_GETPARAM");
        return (uint)value;
    }

    /// <summary>
    /// The kernel copies min(size, the capset's size) bytes but does not say how many, so the
    /// destination is cleared first and its whole length is reported.
    /// </summary>
    public int GetCaps(uint capsetId, uint version, Span<byte> destination)
    {
        destination.Clear();
        fixed (byte* buffer = destination)
        {
            var argument = new DrmVirtgpuGetCaps
            {
                CapsetId = capsetId,
                CapsetVersion = version,
                Address = UserPointer(buffer),
                Size = (uint)destination.Length,
            };
            Invoke(DrmIoctl.VirtgpuGetCaps, ref argument, "VIRTGPU_GET_CAPS");
        }
        return destination.Length;
    }

    public void InitContext(uint capsetId, uint ringCount, ulong pollRingMask)
    {
        var parameters = stackalloc DrmVirtgpuContextSetParam[]
        {
            new() { Param = VirtgpuContextParam.CapsetId, Value = capsetId },
            new() { Param = VirtgpuContextParam.NumRings, Value = ringCount },
            new() { Param = VirtgpuContextParam.PollRingsMask, Value = pollRingMask },
        };
        var argument = new DrmVirtgpuContextInit { ParamCount = 3, SetParams = UserPointer(parameters) };
        Invoke(DrmIoctl.VirtgpuContextInit, ref argument, "VIRTGPU_CONTEXT_INIT");
    }

    public BlobHandle CreateBlob(VirtgpuBlobMemory memory, VirtgpuBlobFlags flags, ulong size, ulong blobId)
    {
        var argument = new DrmVirtgpuResourceCreateBlob { BlobMemory = memory, BlobFlags = flags, Size = size, BlobId = blobId };
        Invoke(DrmIoctl.VirtgpuResourceCreateBlob, ref argument, "VIRTGPU_RESOURCE_CREATE_BLOB");
        _blobSizes[argument.BoHandle] = PageAligned(size);
        return new BlobHandle(argument.BoHandle, argument.ResourceHandle);
    }

    public void CreateResource(ref DrmVirtgpuResourceCreate create)
    {
        Invoke(DrmIoctl.VirtgpuResourceCreate, ref create, "VIRTGPU_RESOURCE_CREATE");
        _blobSizes[create.BoHandle] = PageAligned(Math.Max(create.Size, 1));
    }

    // The kernel queues a transfer and returns; the interface promises it is done, so wait on the buffer.
    public void TransferToHost(in DrmVirtgpu3DTransfer transfer)
    {
        var argument = transfer;
        Invoke(DrmIoctl.VirtgpuTransferToHost, ref argument, "VIRTGPU_TRANSFER_TO_HOST");
    }

    public void TransferFromHost(in DrmVirtgpu3DTransfer transfer)
    {
        var argument = transfer;
        Invoke(DrmIoctl.VirtgpuTransferFromHost, ref argument, "VIRTGPU_TRANSFER_FROM_HOST");
        Wait(argument.BoHandle, noWait: false, KernelWaitLimit);
    }

    /// <summary>The same mapping for every call on one buffer; it goes when the buffer is closed.</summary>
    public MappedBlob Map(uint bufferHandle)
    {
        if (!_mappings.TryGetValue(bufferHandle, out var mapping))
        {
            var argument = new DrmVirtgpuMap { Handle = bufferHandle };
            Invoke(DrmIoctl.VirtgpuMap, ref argument, "VIRTGPU_MAP");
            long length = _blobSizes.TryGetValue(bufferHandle, out long known) ? known : ResourceInfo(bufferHandle).Size;
            try
            {
                mapping = _node.Map(argument.Offset, length);
            }
            catch (Win32Exception error)
            {
                throw new VirtioGpuDriverException($"mmap of buffer {bufferHandle} on {_node.Path}: {error.Message}", error.NativeErrorCode);
            }
            _mappings[bufferHandle] = mapping;
        }
        return new MappedBlob(mapping.Address, mapping.Length);
    }

    /// <summary>No fence fds are asked for: completions are seen through WAIT and the poll-ring events.</summary>
    public void Submit(ReadOnlySpan<byte> commands, uint? ringIndex, ReadOnlySpan<uint> bufferHandles)
    {
        fixed (byte* command = commands)
        fixed (uint* handles = bufferHandles)
        {
            var argument = new DrmVirtgpuExecbuffer
            {
                Size = (uint)commands.Length,
                Command = UserPointer(command),
                BoHandles = UserPointer(handles),
                BoHandleCount = (uint)bufferHandles.Length,
            };
            if (ringIndex is { } ring)
            {
                argument.Flags |= VirtgpuExecbufferFlags.RingIndex;
                argument.RingIndex = ring;
            }
            Invoke(DrmIoctl.VirtgpuExecbuffer, ref argument, "VIRTGPU_EXECBUFFER");
        }
    }

    /// <summary>
    /// A timeout of at least <see cref="KernelWaitLimit"/> uses the kernel's blocking wait; a
    /// shorter remainder is kept by asking with NOWAIT between short sleeps, since the kernel's
    /// wait cannot be shortened.
    /// </summary>
    public bool Wait(uint bufferHandle, bool noWait, TimeSpan timeout)
    {
        if (noWait || timeout <= TimeSpan.Zero) return TryWait(bufferHandle, DrmVirtgpu3DWait.FlagNoWait);
        long start = Stopwatch.GetTimestamp();
        var remaining = timeout;
        var interval = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            if (remaining >= KernelWaitLimit)
            {
                if (TryWait(bufferHandle, flags: 0)) return true;
            }
            else
            {
                if (TryWait(bufferHandle, DrmVirtgpu3DWait.FlagNoWait)) return true;
                if (remaining <= TimeSpan.Zero) return false;
                Thread.Sleep(remaining < interval ? remaining : interval);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, LongestPollInterval.Ticks));
            }
            remaining = timeout - Stopwatch.GetElapsedTime(start);
        }
    }

    public bool TryReadFenceEvent() => _fenceEvents.TryRead();

    public uint GetResourceId(uint bufferHandle) => ResourceInfo(bufferHandle).ResourceHandle;

    public void CloseBuffer(uint bufferHandle)
    {
        var argument = new DrmGemClose { Handle = bufferHandle };
        Invoke(DrmIoctl.GemClose, ref argument, "GEM_CLOSE");
        _blobSizes.Remove(bufferHandle);
        // The mapping would keep the buffer alive past its handle; the interface promises it only until now.
        if (_mappings.Remove(bufferHandle, out var mapping)) mapping.Dispose();
    }

    public uint ImportDmabuf(FileDescriptor dmabuf)
    {
        bool added = false;
        dmabuf.DangerousAddRef(ref added);
        try
        {
            var argument = new DrmPrimeHandle { Fd = dmabuf.Fd };
            Invoke(DrmIoctl.PrimeFdToHandle, ref argument, "PRIME_FD_TO_HANDLE");
            return argument.Handle;
        }
        finally
        {
            if (added) dmabuf.DangerousRelease();
        }
    }

    public FileDescriptor ExportDmabuf(uint bufferHandle)
    {
        var argument = new DrmPrimeHandle { Handle = bufferHandle, Flags = DrmPrimeHandle.CloseOnExec | DrmPrimeHandle.ReadWrite };
        Invoke(DrmIoctl.PrimeHandleToFd, ref argument, "PRIME_HANDLE_TO_FD");
        return new FileDescriptor(argument.Fd);
    }

    /// <summary>Closing the file is what destroys the context and every buffer handle in the kernel.</summary>
    public void Dispose()
    {
        foreach (var mapping in _mappings.Values) mapping.Dispose();
        _mappings.Clear();
        _node.Dispose();
    }

    private DrmVirtgpuResourceInfo ResourceInfo(uint bufferHandle)
    {
        var argument = new DrmVirtgpuResourceInfo { BoHandle = bufferHandle };
        Invoke(DrmIoctl.VirtgpuResourceInfo, ref argument, "VIRTGPU_RESOURCE_INFO");
        return argument;
    }

    private bool TryWait(uint bufferHandle, uint flags)
    {
        var argument = new DrmVirtgpu3DWait { Handle = bufferHandle, Flags = flags };
        int errno = _node.Ioctl(DrmIoctl.VirtgpuWait, Bytes(ref argument));
        if (errno == LibC.EBUSY) return false;
        if (errno != 0) throw Failure("VIRTGPU_WAIT", errno);
        return true;
    }

    private void Invoke<T>(uint request, ref T argument, string name) where T : unmanaged
    {
        int errno = _node.Ioctl(request, Bytes(ref argument));
        if (errno != 0) throw Failure(name, errno);
    }

    private VirtioGpuDriverException Failure(string name, int errno) =>
        new($"{Errno.Exception($"ioctl({name})", errno).Message} on {_node.Path}", errno);

    private static string DriverNameOf(IDrmRenderNode node)
    {
        const int capacity = 64;
        var name = stackalloc byte[capacity];
        var version = new DrmVersion { NameLength = capacity, Name = (nint)name };
        int errno = node.Ioctl(DrmIoctl.Version, Bytes(ref version));
        if (errno != 0)
            throw new VirtioGpuDriverException($"{node.Path} is not a DRM device: {Errno.Exception("ioctl(VERSION)", errno).Message}", errno);
        // NameLength comes back as the full length, which may be more than was copied.
        return Encoding.ASCII.GetString(name, (int)Math.Min(version.NameLength, capacity));
    }

    /// <summary>The kernel rounds a blob up to whole pages; a mapping of the blob is that long.</summary>
    private static long PageAligned(ulong size)
    {
        ulong pageMask = (ulong)Environment.SystemPageSize - 1;
        return checked((long)((size + pageMask) & ~pageMask));
    }

    private static Span<byte> Bytes<T>(ref T argument) where T : unmanaged => MemoryMarshal.AsBytes(new Span<T>(ref argument));

    private static ulong UserPointer(void* pointer) => (ulong)pointer;
}

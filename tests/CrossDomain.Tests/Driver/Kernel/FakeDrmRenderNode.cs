using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;

namespace CrossDomain.Tests.Driver.Kernel;

/// <summary>
/// A fake render node, because the test machine has no virtio-gpu device (the real one is the VM
/// tier's). It records every ioctl as it came in, answers through per-request handlers that may
/// read and write the caller's user pointers during the call, serves queued event reads the way
/// the DRM core does (whole events; 0 when the next one does not fit), and maps memfds.
/// </summary>
public sealed unsafe class FakeDrmRenderNode : IDrmRenderNode
{
    /// <summary>Answers one ioctl in place; returns 0 or an errno.</summary>
    public delegate int IoctlHandler(Span<byte> argument);

    private readonly Dictionary<uint, IoctlHandler> _handlers = [];
    private readonly Queue<byte[]> _pendingReads = new();

    public FakeDrmRenderNode(string driverName = KernelVirtioGpu.DriverName)
    {
        On(DrmIoctl.Version, argument => AnswerVersion(argument, driverName));
    }

    public string Path => "/fake/dri/renderD128";

    /// <summary>A real fd, so the handle behaves like one; nothing is ever read from it.</summary>
    public FileDescriptor Handle { get; } = MemFd.Create("fake-render-node", 0);

    public List<RecordedIoctl> Ioctls { get; } = [];

    public List<int> ReadSizes { get; } = [];

    public List<(ulong Offset, long Length)> Maps { get; } = [];

    public bool IsDisposed { get; private set; }

    public void On(uint request, IoctlHandler handler) => _handlers[request] = handler;

    /// <summary>Queues the bytes one read() returns.</summary>
    public void QueueRead(params byte[] bytes) => _pendingReads.Enqueue(bytes);

    /// <summary>The caller's memory at a user pointer it passed; valid only during the ioctl.</summary>
    public static Span<byte> UserMemory(ulong address, int length) => new((void*)address, length);

    /// <summary>An ioctl's argument as the uAPI struct it is, for a handler to read and answer in.</summary>
    public static ref T Argument<T>(Span<byte> argument) where T : unmanaged => ref MemoryMarshal.AsRef<T>(argument);

    public RecordedIoctl Single(uint request) => Assert.Single(Ioctls, call => call.Request == request);

    public int Ioctl(uint request, Span<byte> argument)
    {
        Ioctls.Add(new RecordedIoctl(request, argument.ToArray()));
        return _handlers.TryGetValue(request, out var handler) ? handler(argument) : 0;
    }

    public IoResult Read(Span<byte> destination)
    {
        ReadSizes.Add(destination.Length);
        if (!_pendingReads.TryPeek(out var next)) return IoResult.WouldBlock;
        if (next.Length > destination.Length) return IoResult.EndOfStream;
        _pendingReads.Dequeue();
        next.CopyTo(destination);
        return IoResult.Done(next.Length);
    }

    public MemoryMapping Map(ulong offset, long length)
    {
        Maps.Add((offset, length));
        using var memory = MemFd.Create("fake-blob", length);
        return MemoryMapping.Map(memory, length);
    }

    public void Dispose()
    {
        IsDisposed = true;
        Handle.Dispose();
    }

    private static int AnswerVersion(Span<byte> argument, string driverName)
    {
        ref var version = ref Argument<DrmVersion>(argument);
        var name = System.Text.Encoding.ASCII.GetBytes(driverName);
        name.AsSpan(0, Math.Min(name.Length, (int)version.NameLength)).CopyTo(UserMemory((ulong)version.Name, (int)version.NameLength));
        version.NameLength = (nuint)name.Length;
        return 0;
    }
}

/// <summary>One ioctl: its request number and the argument bytes as the driver passed them.</summary>
public sealed record RecordedIoctl(uint Request, byte[] Argument)
{
    /// <summary>The argument read as the uAPI struct the request takes.</summary>
    public T As<T>() where T : unmanaged => MemoryMarshal.Read<T>(Argument);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;
using Tmds.Linux;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// A fake virtio-gpu device for the guest proxy, whose host is the fuzz input: channel messages
/// the input wrote are put in the channel ring one per POLL, as the host's cross-domain context
/// does, and everything the proxy sends is dropped (or kept, with <see cref="RecordsSends"/>).
/// Image requirements are answered as a host would (tight rows, page-rounded). Blobs are native
/// memory, bounded so that one input cannot make an execution slow. With
/// <see cref="OffersDmabufs"/> it stands in for a render node with 3D: a memfd plays a client's
/// dma-buf (one buffer per file), and readbacks are recorded, not rendered.
/// </summary>
public sealed unsafe class FakeHostDriver : IVirtioGpuDriver
{
    private const ulong MaxBlobBytes = 8 << 20;
    private const ulong MaxTotalBlobBytes = 32 << 20;
    private const int MaxBlobs = 64;

    private readonly Interop.EventFd _fenceEvents = Interop.EventFd.Create();
    private readonly Dictionary<uint, (nint Address, ulong Size, uint ResourceId)> _blobs = [];
    private readonly Queue<byte[]> _channelMessages = new();
    private readonly Dictionary<uint, (MemoryMapping Mapping, ulong Inode, uint ResourceId)> _imports = [];
    private uint _nextHandle = 1;
    private ulong _totalBlobBytes;
    private uint _queryRing;
    private uint _channelRing;
    private bool _pollPending;
    private bool _disposed;

    /// <summary>What <see cref="RenderNodeDevice"/> is when <see cref="OffersDmabufs"/>: 226:128, a first render node.</summary>
    public const ulong FakeRenderNode = 0xE280;

    public bool OffersDmabufs { get; init; }

    public bool RecordsSends { get; init; }

    /// <summary>Each SEND's bytes and identifiers, when <see cref="RecordsSends"/>.</summary>
    public List<(byte[] Data, ChannelIdentifier[] Identifiers)> Sends { get; } = [];

    /// <summary>Each TRANSFER_FROM_HOST on an imported buffer: its handle, box and offset.</summary>
    public List<(uint BufferHandle, Box Box, uint Offset)> ReadBacks { get; } = [];

    /// <summary>One message the host writes into the channel ring when the proxy next polls (cut at the ring's size).</summary>
    public void QueueChannelMessage(ReadOnlySpan<byte> ringImage)
    {
        _channelMessages.Enqueue(ringImage[..Math.Min(ringImage.Length, CrossDomainLimits.DefaultRingSize)].ToArray());
        if (_pollPending) _fenceEvents.Signal();
    }

    /// <summary>
    /// As <see cref="QueueChannelMessage"/>, but the array itself is queued, not a copy: a caller
    /// that counts what the proxy allocates per message (the micro-benchmarks) must not see the
    /// fake host's copy as the proxy's. It must stay unchanged until the proxy has polled it.
    /// </summary>
    public void QueueSharedChannelMessage(byte[] ringImage)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ringImage.Length, CrossDomainLimits.DefaultRingSize);
        _channelMessages.Enqueue(ringImage);
        if (_pollPending) _fenceEvents.Signal();
    }

    /// <summary>False plays a device without host-visible memory (HOST_VISIBLE reads 0).</summary>
    public bool HostVisibleMemory { get; init; } = true;

    /// <summary>What the capset's extension word offers; a 16-byte capset, as rutabaga's, when none.</summary>
    public CrossDomainExtensions Extensions { get; init; }

    public ulong GetParam(VirtgpuParam param) => param switch
    {
        VirtgpuParam.SupportedCapsetIds => 1ul << (int)CapsetId.CrossDomain,
        VirtgpuParam.HostVisible => HostVisibleMemory ? 1ul : 0,
        _ => 1,
    };

    public int GetCaps(uint capsetId, uint version, Span<byte> destination)
    {
        var caps = new CrossDomainCapabilities { Version = 1, SupportedChannels = 1u << (int)ChannelType.Wayland, Extensions = Extensions };
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<CrossDomainCapabilities>(in caps));
        if (Extensions == CrossDomainExtensions.None) bytes = bytes[..CrossDomainCapabilities.RutabagaSize];
        int length = Math.Min(bytes.Length, destination.Length);
        bytes[..length].CopyTo(destination);
        return length;
    }

    public void InitContext(uint capsetId, uint ringCount, ulong pollRingMask) { }

    public BlobHandle CreateBlob(VirtgpuBlobMemory memory, VirtgpuBlobFlags flags, ulong size, ulong blobId)
    {
        if (size == 0 || size > MaxBlobBytes || _totalBlobBytes + size > MaxTotalBlobBytes || _blobs.Count >= MaxBlobs)
            throw new VirtioGpuDriverException($"a blob of {size} bytes is more than this fake host gives", LibC.ENOMEM);
        uint handle = _nextHandle++;
        var address = (nint)NativeMemory.AllocZeroed((nuint)size);
        // A host item (a keymap) has content; a recognisable pattern shows whether it was copied whole.
        if (memory == VirtgpuBlobMemory.Host3D)
        {
            var span = new Span<byte>((void*)address, (int)size);
            for (int i = 0; i < span.Length; i++) span[i] = (byte)(i ^ (int)blobId);
        }
        _totalBlobBytes += size;
        _blobs[handle] = (address, size, handle + 100);
        return new BlobHandle(handle, handle + 100);
    }

    public void CreateResource(ref DrmVirtgpuResourceCreate create) => throw NotOffered();

    public void TransferToHost(in DrmVirtgpu3DTransfer transfer) => throw NotOffered();

    public void TransferFromHost(in DrmVirtgpu3DTransfer transfer)
    {
        if (!_imports.ContainsKey(transfer.BoHandle)) throw NotOffered();
        ReadBacks.Add((transfer.BoHandle, transfer.Box, transfer.Offset));
    }

    public MappedBlob Map(uint bufferHandle) =>
        _blobs.TryGetValue(bufferHandle, out var blob) ? new MappedBlob(blob.Address, (long)blob.Size)
            : _imports.TryGetValue(bufferHandle, out var import) ? new MappedBlob(import.Mapping.Address, import.Mapping.Length)
            : throw new VirtioGpuDriverException($"no buffer {bufferHandle}", LibC.ENOENT);

    public void Submit(ReadOnlySpan<byte> commands, uint? ringIndex, ReadOnlySpan<uint> bufferHandles)
    {
        var header = MemoryMarshal.Read<CrossDomainHeader>(commands);
        switch (header.Command)
        {
            case CrossDomainCommand.Init:
                // The proxy sends the 20-byte v1 form; the struct has room for the longer ones.
                Span<byte> padded = stackalloc byte[Unsafe.SizeOf<CrossDomainInit>()];
                commands[..Math.Min(commands.Length, padded.Length)].CopyTo(padded);
                var init = MemoryMarshal.Read<CrossDomainInit>(padded);
                _queryRing = HandleOf(init.QueryRingId);
                _channelRing = HandleOf(init.ChannelRingId);
                break;
            case CrossDomainCommand.Poll:
                _pollPending = true;
                if (_channelMessages.Count > 0) _fenceEvents.Signal();
                break;
            case CrossDomainCommand.GetImageRequirements:
                AnswerImageRequirements(MemoryMarshal.Read<CrossDomainGetImageRequirements>(commands));
                break;
            case CrossDomainCommand.Send when RecordsSends:
                var send = MemoryMarshal.Read<CrossDomainSendReceive>(commands);
                var identifiers = new ChannelIdentifier[send.IdentifierCount];
                for (int i = 0; i < identifiers.Length; i++) identifiers[i] = new(send.Identifiers[i], (IdentifierType)send.IdentifierTypes[i]);
                Sends.Add((commands.Slice(CrossDomainSendReceive.Size, (int)send.OpaqueDataSize).ToArray(), identifiers));
                break;
        }
    }

    private void AnswerImageRequirements(in CrossDomainGetImageRequirements request)
    {
        ulong stride = (ulong)request.Width * 4;
        var answer = new CrossDomainImageRequirements
        {
            Size = (stride * request.Height + 4095) & ~4095ul,
            BlobId = 1,
            MemoryIndex = -1,
            PhysicalDeviceIndex = -1,
        };
        answer.Strides[0] = (uint)stride;
        var ring = _blobs[_queryRing];
        MemoryMarshal.Write(new Span<byte>((void*)ring.Address, (int)ring.Size), in answer);
    }

    public bool Wait(uint bufferHandle, bool noWait, TimeSpan timeout) => true;

    public FileDescriptor FenceNotificationFd => _fenceEvents.Handle;

    public FileDescriptor? DeviceGoneFd => null;

    public ulong? RenderNodeDevice => OffersDmabufs ? FakeRenderNode : null;

    public bool TryReadFenceEvent()
    {
        if (!_pollPending || !_channelMessages.TryDequeue(out var message)) return false;
        _pollPending = false;
        _fenceEvents.Consume();
        var ring = _blobs[_channelRing];
        var span = new Span<byte>((void*)ring.Address, (int)ring.Size);
        span.Clear();
        message.CopyTo(span);
        return true;
    }

    public uint GetResourceId(uint bufferHandle) =>
        _blobs.TryGetValue(bufferHandle, out var blob) ? blob.ResourceId : _imports.TryGetValue(bufferHandle, out var import) ? import.ResourceId : 0;

    /// <summary>Open buffer handles of imports, which the proxy must close when it is done with them.</summary>
    public int OpenImports => _imports.Count;

    public void CloseBuffer(uint bufferHandle)
    {
        if (_imports.Remove(bufferHandle, out var import))
        {
            import.Mapping.Dispose();
            return;
        }
        if (!_blobs.Remove(bufferHandle, out var blob)) return;
        _totalBlobBytes -= blob.Size;
        NativeMemory.Free((void*)blob.Address);
    }

    /// <summary>PRIME of a memfd: the same handle for the same file, as the kernel gives for the same buffer.</summary>
    public uint ImportDmabuf(FileDescriptor dmabuf)
    {
        if (!OffersDmabufs) throw NotOffered();
        stat status;
        if (LibC.fstat(dmabuf.Fd, &status) != 0 || (status.st_mode & LibC.S_IFMT) != LibC.S_IFREG || status.st_size <= 0)
            throw new VirtioGpuDriverException("not a buffer of this device", LibC.EINVAL);
        foreach (var (handle, import) in _imports)
            if (import.Inode == status.st_ino) return handle;
        uint created = _nextHandle++;
        _imports[created] = (MemoryMapping.Map(dmabuf, status.st_size, writable: false), status.st_ino, created + 100);
        return created;
    }

    public FileDescriptor ExportDmabuf(uint bufferHandle) => throw NotOffered();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (uint handle in _blobs.Keys.Concat(_imports.Keys).ToArray()) CloseBuffer(handle);
        _fenceEvents.Dispose();
    }

    private uint HandleOf(uint resourceId)
    {
        foreach (var (handle, blob) in _blobs)
            if (blob.ResourceId == resourceId) return handle;
        throw new VirtioGpuDriverException($"no resource {resourceId}", LibC.ENOENT);
    }

    private static VirtioGpuDriverException NotOffered() => new("this fake host offers no 3D resources or dmabufs", LibC.ENOTSUP);
}

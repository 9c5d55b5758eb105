using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using Tmds.Linux;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// The guest end of one cross-domain Wayland channel (PROTOCOL.md B, D.1): a capset-5 context with
/// a query ring and a channel ring, the compositor stream carried in SEND/RECEIVE, pipes in
/// READ/WRITE. It works on any <see cref="IVirtioGpuDriver"/>, so the same code runs in a VM and in
/// local mode. One channel per Wayland client, as sommelier does. Every virtio-gpu operation the
/// relay needs goes through here, and a device failure comes out as a <see cref="CrossDomainChannelException"/>.
/// </summary>
public sealed class CrossDomainChannel : IDisposable
{
    private const uint RingSize = CrossDomainLimits.DefaultRingSize;
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(15);

    private readonly IVirtioGpuDriver _driver;
    private readonly BlobHandle _queryRing;
    private readonly BlobHandle _channelRing;
    private readonly MappedBlob _queryRingMemory;
    private readonly MappedBlob _channelRingMemory;
    private readonly byte[] _command = new byte[CrossDomainSendReceive.Size + CrossDomainLimits.MaxSendReceivePayload];
    private readonly ChannelIdentifier[] _receivedIdentifiers = new ChannelIdentifier[CrossDomainLimits.MaxIdentifiers];
    // PRIME gives one handle per buffer however often it is imported; it is closed with the last import.
    private readonly Dictionary<uint, int> _importedHandles = [];
    private uint _lastReadPipeId = CrossDomainLimits.PipeReadStart;
    private bool _pollPending;
    private bool _eventHeld;
    private bool _heldEventEndsStream;

    private CrossDomainChannel(IVirtioGpuDriver driver, CrossDomainExtensions hostExtensions)
    {
        _driver = driver;
        HostMemory = driver.GetParam(VirtgpuParam.HostVisible) != 0 ? HostMemoryAccess.Mapped
            // HOST3D_GUEST blobs, and transfers on them, need the device's 3D feature in Linux.
            : (hostExtensions & CrossDomainExtensions.GuestMemoryTransfers) != 0 && driver.GetParam(VirtgpuParam.Features3D) != 0
                ? HostMemoryAccess.CopiedByTransfers
                : HostMemoryAccess.None;
        _queryRing = driver.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, RingSize, 0);
        _channelRing = driver.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, RingSize, 0);
        _queryRingMemory = driver.Map(_queryRing.BufferHandle);
        _channelRingMemory = driver.Map(_channelRing.BufferHandle);
        // Reading a client's buffer back takes TRANSFER_FROM_HOST_3D, which the driver has only with 3D.
        if (driver.RenderNodeDevice is { } device && driver.GetParam(VirtgpuParam.Features3D) != 0) DmabufDevice = device;
    }

    /// <summary>
    /// The render node's device number where clients' dma-bufs (buffers of this device's resources)
    /// can be imported and read back here, else null: then the proxy offers no linux-dmabuf.
    /// </summary>
    public ulong? DmabufDevice { get; }

    /// <summary>How the proxy reaches host memory (shm shadows, keymaps): the device decides, see <see cref="HostMemoryAccess"/>.</summary>
    public HostMemoryAccess HostMemory { get; }

    /// <summary>Readable when a channel event may be waiting: watch it, then call <see cref="TryReceive"/>.</summary>
    public FileDescriptor ReceiveReadyFd => _driver.FenceNotificationFd;

    /// <summary>Readable once the device is gone (see <see cref="IVirtioGpuDriver.DeviceGoneFd"/>); null where it cannot go.</summary>
    public FileDescriptor? DeviceGoneFd => _driver.DeviceGoneFd;

    /// <summary>
    /// Makes the context (capset 5, two rings, poll on the channel ring), its rings, and the
    /// Wayland channel to the host compositor, then asks for the first event.
    /// </summary>
    public static CrossDomainChannel Open(IVirtioGpuDriver driver)
    {
        try
        {
            return OpenOn(driver);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>As <see cref="Open(IVirtioGpuDriver)"/> on a driver it opens first, and closes again if the channel cannot be made.</summary>
    public static CrossDomainChannel Open(Func<IVirtioGpuDriver> openDriver)
    {
        IVirtioGpuDriver driver;
        try
        {
            driver = openDriver();
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
        try
        {
            return Open(driver);
        }
        catch
        {
            driver.Dispose();
            throw;
        }
    }

    private static CrossDomainChannel OpenOn(IVirtioGpuDriver driver)
    {
        if ((driver.GetParam(VirtgpuParam.SupportedCapsetIds) >> (int)VirtioGpu.Protocol.CapsetId.CrossDomain & 1) == 0)
            throw new CrossDomainChannelException("the device offers no cross-domain capset", LibC.ENOTSUP);
        // A host that offers rutabaga's 16 bytes leaves the rest zero: no extensions.
        Span<byte> caps = stackalloc byte[Unsafe.SizeOf<CrossDomainCapabilities>()];
        caps.Clear();
        driver.GetCaps((uint)VirtioGpu.Protocol.CapsetId.CrossDomain, 0, caps);
        var capabilities = MemoryMarshal.Read<CrossDomainCapabilities>(caps);
        if ((capabilities.SupportedChannels >> (int)ChannelType.Wayland & 1) == 0)
            throw new CrossDomainChannelException("the host has no Wayland compositor for cross-domain", LibC.ENOTSUP);

        driver.InitContext((uint)VirtioGpu.Protocol.CapsetId.CrossDomain, ringCount: 2, pollRingMask: 1u << (int)CrossDomainRing.Channel);
        var channel = new CrossDomainChannel(driver, capabilities.Extensions);
        var init = new CrossDomainInit
        {
            Header = Header(CrossDomainCommand.Init, CrossDomainInit.V1Size),
            QueryRingId = channel._queryRing.ResourceId,
            ChannelRingId = channel._channelRing.ResourceId,
            ChannelType = ChannelType.Wayland,
        };
        driver.Submit(MemoryMarshal.AsBytes(new ReadOnlySpan<CrossDomainInit>(in init))[..CrossDomainInit.V1Size], null, []);
        channel.Poll();
        return channel;
    }

    /// <summary>
    /// Sends compositor-bound bytes with the fds they carry, turned into identifiers (resource ids
    /// of blobs, predicted read-pipe ids). At most <see cref="CrossDomainLimits.MaxSendReceivePayload"/>
    /// bytes and 28 identifiers go in one SEND.
    /// </summary>
    public void Send(ReadOnlySpan<byte> data, ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        if (data.Length > CrossDomainLimits.MaxSendReceivePayload) throw new ArgumentException($"At most {CrossDomainLimits.MaxSendReceivePayload} bytes per SEND.", nameof(data));
        if (identifiers.Length > CrossDomainLimits.MaxIdentifiers) throw new ArgumentException("At most 28 identifiers per SEND.", nameof(identifiers));
        int size = CrossDomainSendReceive.Size + data.Length;
        var send = new CrossDomainSendReceive
        {
            Header = Header(CrossDomainCommand.Send, size),
            IdentifierCount = (uint)identifiers.Length,
            OpaqueDataSize = (uint)data.Length,
        };
        for (int i = 0; i < identifiers.Length; i++)
        {
            send.Identifiers[i] = identifiers[i].Id;
            send.IdentifierTypes[i] = (uint)identifiers[i].Type;
        }
        MemoryMarshal.Write(_command, in send);
        data.CopyTo(_command.AsSpan(CrossDomainSendReceive.Size));
        Submit(_command.AsSpan(0, size));
    }

    /// <summary>The id the host will expect for the next READ_PIPE identifier (B.6: both sides count).</summary>
    public uint NextReadPipeId()
    {
        _lastReadPipeId = _lastReadPipeId == uint.MaxValue ? CrossDomainLimits.PipeReadStart : _lastReadPipeId + 1;
        return _lastReadPipeId;
    }

    /// <summary>Pipe data for a host write pipe (announced as WRITE_PIPE in a RECEIVE).</summary>
    public void Write(uint pipeId, ReadOnlySpan<byte> data, bool hangUp)
    {
        if (data.Length > CrossDomainLimits.MaxReadWritePayload) throw new ArgumentException($"At most {CrossDomainLimits.MaxReadWritePayload} bytes per WRITE.", nameof(data));
        int size = CrossDomainReadWrite.Size + data.Length;
        var write = new CrossDomainReadWrite
        {
            Header = Header(CrossDomainCommand.Write, size),
            Identifier = pipeId,
            HangUp = hangUp ? 1u : 0,
            OpaqueDataSize = (uint)data.Length,
        };
        MemoryMarshal.Write(_command, in write);
        data.CopyTo(_command.AsSpan(CrossDomainReadWrite.Size));
        Submit(_command.AsSpan(0, size));
    }

    /// <summary>
    /// The next channel event, if the host has written one, read in place in the channel ring
    /// (PROTOCOL.md D.1: the host writes it only while a POLL waits, so it stays put until the next
    /// one). Copy out what is needed, then call <see cref="Release"/> at once: that sends the next
    /// POLL, so the host may write again while the caller works on what it copied.
    /// </summary>
    public bool TryReceive(out ChannelEvent channelEvent)
    {
        if (_eventHeld) throw new InvalidOperationException("The previous channel event has not been released.");
        try
        {
            return TryReadRing(out channelEvent);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>Hands the ring back to the host after <see cref="TryReceive"/>; nothing to do when no event is held.</summary>
    public void Release()
    {
        if (!_eventHeld) return;
        _eventHeld = false;
        // After the end of the stream the host has nothing more to say: no POLL.
        if (_heldEventEndsStream) return;
        try
        {
            Poll();
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    private bool TryReadRing(out ChannelEvent channelEvent)
    {
        channelEvent = default;
        if (!_pollPending || !_driver.TryReadFenceEvent()) return false;
        _pollPending = false;
        var ring = _channelRingMemory.GetSpan(0, (int)RingSize);
        var header = MemoryMarshal.Read<CrossDomainHeader>(ring);
        switch (header.Command)
        {
            case CrossDomainCommand.Receive:
                var receive = MemoryMarshal.Read<CrossDomainSendReceive>(ring);
                if (receive.IdentifierCount > CrossDomainLimits.MaxIdentifiers || receive.OpaqueDataSize > CrossDomainLimits.MaxSendReceivePayload)
                    throw new InvalidDataException($"RECEIVE with {receive.IdentifierCount} identifiers and {receive.OpaqueDataSize} bytes");
                var identifiers = _receivedIdentifiers.AsSpan(0, (int)receive.IdentifierCount);
                for (int i = 0; i < identifiers.Length; i++)
                    identifiers[i] = new ChannelIdentifier(receive.Identifiers[i], (IdentifierType)receive.IdentifierTypes[i], receive.IdentifierSizes[i]);
                channelEvent = new ChannelEvent(CrossDomainCommand.Receive, ring.Slice(CrossDomainSendReceive.Size, (int)receive.OpaqueDataSize), identifiers, 0, false);
                break;
            case CrossDomainCommand.Read:
                var read = MemoryMarshal.Read<CrossDomainReadWrite>(ring);
                if (read.OpaqueDataSize > CrossDomainLimits.MaxReadWritePayload)
                    throw new InvalidDataException($"READ of {read.OpaqueDataSize} bytes");
                channelEvent = new ChannelEvent(CrossDomainCommand.Read, ring.Slice(CrossDomainReadWrite.Size, (int)read.OpaqueDataSize), [], read.Identifier, read.HangUp != 0);
                break;
            default:
                throw new InvalidDataException($"unexpected channel message {header.Command}");
        }
        _eventHeld = true;
        _heldEventEndsStream = channelEvent.IsEndOfStream;
        return true;
    }

    /// <summary>GET_IMAGE_REQUIREMENTS: the layout of a buffer and the blob id to create it from.</summary>
    public CrossDomainImageRequirements GetImageRequirements(uint width, uint height, uint drmFormat, ImageUsageFlags usage)
    {
        var request = new CrossDomainGetImageRequirements
        {
            Header = Header(CrossDomainCommand.GetImageRequirements, Unsafe.SizeOf<CrossDomainGetImageRequirements>()),
            Width = width,
            Height = height,
            DrmFormat = drmFormat,
            Flags = usage,
        };
        bool answered;
        try
        {
            // The answer lands in the query ring; the fence on ring 0, tied to the ring's buffer, says when.
            _driver.Submit(MemoryMarshal.AsBytes(new ReadOnlySpan<CrossDomainGetImageRequirements>(in request)), (uint)CrossDomainRing.Query, [_queryRing.BufferHandle]);
            answered = _driver.Wait(_queryRing.BufferHandle, noWait: false, QueryTimeout);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
        if (!answered) throw new CrossDomainChannelException("GET_IMAGE_REQUIREMENTS got no answer", LibC.ETIMEDOUT);
        return MemoryMarshal.Read<CrossDomainImageRequirements>(_queryRingMemory.GetSpan(0, Unsafe.SizeOf<CrossDomainImageRequirements>()));
    }

    /// <summary>
    /// A host blob made from <paramref name="blobId"/> (a template GET_IMAGE_REQUIREMENTS named, or
    /// memory the host exported in a RECEIVE) and mapped here, so the proxy can write or read it:
    /// the host memory itself, or, without host-visible memory, the guest pages of a HOST3D_GUEST
    /// blob that <see cref="TransferToHost"/> and <see cref="TransferFromHost"/> keep in step with it.
    /// </summary>
    public MappedBuffer CreateMappedBlob(ulong blobId, ulong size)
    {
        var memory = HostMemory switch
        {
            HostMemoryAccess.Mapped => VirtgpuBlobMemory.Host3D,
            HostMemoryAccess.CopiedByTransfers => VirtgpuBlobMemory.Host3DGuest,
            _ => throw new CrossDomainChannelException(
                "the device has no host-visible memory and the host offers no guest-memory transfers, so no host memory can be reached from here",
                LibC.ENOTSUP),
        };
        try
        {
            var blob = _driver.CreateBlob(memory, VirtgpuBlobFlags.UseMappable | VirtgpuBlobFlags.UseShareable, size, blobId);
            try
            {
                return new MappedBuffer(this, blob.BufferHandle, blob.ResourceId, _driver.Map(blob.BufferHandle),
                    isGuestCopy: memory == VirtgpuBlobMemory.Host3DGuest);
            }
            catch
            {
                _driver.CloseBuffer(blob.BufferHandle);
                throw;
            }
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>
    /// A host blob made from <paramref name="blobId"/> that the proxy never touches, only names in
    /// SENDs; it lives as long as the context. Returns its resource id.
    /// </summary>
    public uint CreateUnmappedBlob(ulong blobId, ulong size)
    {
        try
        {
            return _driver.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseShareable, size, blobId).ResourceId;
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>
    /// Copies the host memory behind blob <paramref name="blobId"/> (exported by the host in a
    /// RECEIVE) into <paramref name="destination"/>; the import is closed again at once.
    /// </summary>
    public void ReadHostMemory(ulong blobId, ulong blobSize, Span<byte> destination)
    {
        using var blob = CreateMappedBlob(blobId, blobSize);
        if (blob.IsGuestCopy) ReadBack(blob, new VirtioGpu.Protocol.Box { Width = (uint)destination.Length, Height = 1, Depth = 1 }, offset: 0);
        blob.GetSpan(0, destination.Length).CopyTo(destination);
    }

    /// <summary>
    /// TRANSFER_TO_HOST_3D of one box of a guest copy (<see cref="MappedBuffer.IsGuestCopy"/>) into
    /// the host memory behind it. Not waited for: the device takes commands in order, so the host
    /// has copied the box before it reads the SEND that shows it.
    /// </summary>
    internal void TransferToHost(MappedBuffer buffer, in VirtioGpu.Protocol.Box box)
    {
        var transfer = new DrmVirtgpu3DTransfer { BoHandle = buffer.BufferHandle, Box = box };
        try
        {
            _driver.TransferToHost(transfer);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>
    /// PRIME import of a client's dma-buf: its buffer handle in this file (the kernel attaches the
    /// resource to this context), the resource id, and its guest backing mapped here. Fails for an fd
    /// that is not a buffer of this device.
    /// </summary>
    public MappedBuffer ImportDmabuf(FileDescriptor dmabuf)
    {
        try
        {
            uint handle = _driver.ImportDmabuf(dmabuf);
            _importedHandles[handle] = _importedHandles.GetValueOrDefault(handle) + 1;
            try
            {
                return new MappedBuffer(this, handle, _driver.GetResourceId(handle), _driver.Map(handle));
            }
            catch
            {
                CloseBuffer(handle);
                throw;
            }
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    /// <summary>
    /// TRANSFER_FROM_HOST_3D of one box of level 0 into an imported buffer's backing (or a guest copy's pages) at
    /// <paramref name="offset"/>, once the rendering before it is done: the kernel queues the
    /// transfer behind the client's own submissions, and the wait covers every fence on the buffer
    /// (implicit fencing).
    /// </summary>
    public void ReadBack(MappedBuffer buffer, in VirtioGpu.Protocol.Box box, uint offset)
    {
        // Stride 0: Linux refuses any other for a resource that is not a host blob, and the host then
        // lays the box out with the resource's own stride, as Mesa's virgl lays out the backing.
        var transfer = new DrmVirtgpu3DTransfer { BoHandle = buffer.BufferHandle, Box = box, Offset = offset };
        try
        {
            _driver.TransferFromHost(transfer);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    public void Dispose()
    {
        // Closing the driver's context (CTX_DESTROY) ends the host side: compositor connection,
        // pipes, items. The rings go with it.
        _driver.Dispose();
    }

    internal void CloseBuffer(uint bufferHandle)
    {
        if (_importedHandles.TryGetValue(bufferHandle, out int imports))
        {
            if (imports > 1)
            {
                _importedHandles[bufferHandle] = imports - 1;
                return;
            }
            _importedHandles.Remove(bufferHandle);
        }
        try
        {
            _driver.CloseBuffer(bufferHandle);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    private void Submit(ReadOnlySpan<byte> command)
    {
        try
        {
            _driver.Submit(command, null, []);
        }
        catch (VirtioGpuDriverException failure)
        {
            throw Failed(failure);
        }
    }

    private static CrossDomainChannelException Failed(VirtioGpuDriverException failure) => new(failure.Message, failure.Errno, failure);

    private void Poll()
    {
        var poll = new CrossDomainPoll { Header = Header(CrossDomainCommand.Poll, Unsafe.SizeOf<CrossDomainPoll>()) };
        _driver.Submit(MemoryMarshal.AsBytes(new ReadOnlySpan<CrossDomainPoll>(in poll)), (uint)CrossDomainRing.Channel, []);
        _pollPending = true;
    }

    private static CrossDomainHeader Header(CrossDomainCommand command, int size) => new() { Command = command, CommandSize = (ushort)size };
}

/// <summary>How the guest reaches the host memory a buffer or a keymap lives in.</summary>
public enum HostMemoryAccess
{
    /// <summary>HOST3D blobs mapped through the device's host-visible memory (crosvm, QEMU 11.1's generic device, local mode).</summary>
    Mapped,

    /// <summary>
    /// No host-visible memory (QEMU's vhost-user-gpu-pci, Xen-style VMMs), but the host has our
    /// guest-memory transfers: HOST3D_GUEST blobs, whose damaged boxes are transferred.
    /// </summary>
    CopiedByTransfers,

    /// <summary>Neither: host memory cannot be reached, and shm buffers cannot be shown.</summary>
    None,
}


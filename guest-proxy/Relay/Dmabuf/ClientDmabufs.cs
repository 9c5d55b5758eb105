using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Relay.Dmabuf;

/// <summary>
/// linux-dmabuf as the proxy offers one client, for buffers of the guest's own virtio-gpu resources
/// (what Mesa's virgl driver allocates). The host never sees the protocol: each
/// zwp_linux_dmabuf_v1 the client binds is a wl_shm there, each params object a host pool, each
/// buffer a shm buffer on a shadow, filled at each commit by reading the damaged rectangles back
/// from the host's renderer. Feedback is answered here: one tranche on the guest's render node
/// with <see cref="DmabufFormats"/>. Objects keep the client's ids on the host, whose id space
/// has no gaps, so every object made here has a host object of the same id.
/// </summary>
internal sealed class ClientDmabufs(
    CrossDomainChannel channel, ulong renderNode, HostBoundBatch toHost, WaylandObjectMap objects, ShmShadowing shm,
    WaylandConnection client, ILogger logger, int clientNumber)
{
    // linux-dmabuf versions: modifier events from 3, feedback (and no format events) from 4.
    private const uint ModifierSince = 3;
    private const uint FeedbackSince = 4;

    private readonly Dictionary<uint, PendingParams> _params = [];
    private readonly byte[] _scratch = new byte[128];
    private bool _pathLogged;

    /// <summary>wl_registry.bind of the proxy's global, already recorded: the host binds wl_shm under its id.</summary>
    public void Bind(uint registryId, uint hostShmName, uint id, uint version)
    {
        var writer = new WireWriter(_scratch);
        WlRegistry.BindRequest.Encode(ref writer, registryId, hostShmName, WlShm.Name, 1, id);
        toHost.Add(writer.Written, []);
        if (version >= FeedbackSince) return;
        // Before feedback, the formats came as events on the global itself.
        foreach (uint fourcc in DmabufFormats.Fourccs)
        {
            writer = new WireWriter(_scratch);
            ZwpLinuxDmabufV1.FormatEvent.Encode(ref writer, id, fourcc);
            client.Enqueue(writer.Written);
            if (version < ModifierSince) continue;
            writer = new WireWriter(_scratch);
            ZwpLinuxDmabufV1.ModifierEvent.Encode(ref writer, id, fourcc, (uint)(DmabufFormats.ImplicitModifier >> 32), unchecked((uint)DmabufFormats.ImplicitModifier));
            client.Enqueue(writer.Written);
        }
    }

    /// <summary>get_default_feedback or get_surface_feedback: the one tranche, sent at once.</summary>
    public void CreateFeedback(in WaylandMessage message, LiveObject target)
    {
        uint id = message.Created.Id;
        objects.AddClientObject(message.ObjectId, id, ZwpLinuxDmabufFeedbackV1.Interface, target.Version);
        // Its id on the host: a pool, gone again at once (its delete_id hidden).
        shm.CreatePlaceholderPool(message.ObjectId, id);
        shm.DestroyHostPool(id);

        byte[] device = BitConverter.GetBytes(renderNode);
        byte[] indices = new byte[DmabufFormats.Fourccs.Length * sizeof(ushort)];
        for (int i = 0; i < DmabufFormats.Fourccs.Length; i++) BitConverter.TryWriteBytes(indices.AsSpan(2 * i), (ushort)i);

        byte[] table = DmabufFormats.FormatTable();
        var writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.FormatTableEvent.Encode(ref writer, id, (uint)table.Length);
        client.Enqueue(writer.Written, [SealedMemfd(table)]);
        writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.MainDeviceEvent.Encode(ref writer, id, device);
        client.Enqueue(writer.Written);
        writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.TrancheTargetDeviceEvent.Encode(ref writer, id, device);
        client.Enqueue(writer.Written);
        writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.TrancheFormatsEvent.Encode(ref writer, id, indices);
        client.Enqueue(writer.Written);
        writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.TrancheDoneEvent.Encode(ref writer, id);
        client.Enqueue(writer.Written);
        writer = new WireWriter(_scratch);
        ZwpLinuxDmabufFeedbackV1.DoneEvent.Encode(ref writer, id);
        client.Enqueue(writer.Written);
    }

    /// <summary>zwp_linux_dmabuf_feedback_v1.destroy: the host's object went long ago, so the delete_id is the proxy's to send.</summary>
    public void FeedbackDestroyed(uint id)
    {
        objects.Remove(id);
        var writer = new WireWriter(_scratch);
        WlDisplay.DeleteIdEvent.Encode(ref writer, WaylandObjectMap.DisplayId, id);
        client.Enqueue(writer.Written);
    }

    public void CreateParams(in WaylandMessage message, LiveObject target)
    {
        if (ZwpLinuxDmabufV1.CreateParamsRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed create_params");
        objects.AddClientObject(message.ObjectId, request.ParamsId, ZwpLinuxBufferParamsV1.Interface, target.Version);
        _params[request.ParamsId] = new PendingParams(message.ObjectId);
        shm.CreatePlaceholderPool(message.ObjectId, request.ParamsId);
    }

    /// <summary>zwp_linux_buffer_params_v1.add: the plane's dma-buf imported here, the client's fd closed.</summary>
    public void Add(in WaylandMessage message)
    {
        using var fd = message.Fds[0];
        if (ZwpLinuxBufferParamsV1.AddRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed add");
        var pending = _params[message.ObjectId];
        if (pending.Used) throw new ClientProtocolException(message.ObjectId, ParamsError.AlreadyUsed, "add after create");
        // Every format offered has one plane.
        if (request.PlaneIdx != 0) throw new ClientProtocolException(message.ObjectId, ParamsError.PlaneIdx, $"plane {request.PlaneIdx} of a one-plane format");
        if (pending.Plane is not null) throw new ClientProtocolException(message.ObjectId, ParamsError.PlaneSet, "plane 0 set twice");
        try
        {
            pending.Plane = channel.ImportDmabuf(fd);
        }
        catch (CrossDomainChannelException failure)
        {
            throw new ClientProtocolException(message.ObjectId, DisplayError.Implementation,
                $"the dma-buf is not a buffer of this virtio-gpu device ({failure.Message})");
        }
        pending.Offset = request.Offset;
        pending.Stride = request.Stride;
    }

    public void CreateImmed(in WaylandMessage message, LiveObject target)
    {
        if (ZwpLinuxBufferParamsV1.CreateImmedRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed create_immed");
        var pending = _params[message.ObjectId];
        if (pending.Used) throw new ClientProtocolException(message.ObjectId, ParamsError.AlreadyUsed, "create_immed twice");
        pending.Used = true;
        if (pending.Plane is not { } plane) throw new ClientProtocolException(message.ObjectId, ParamsError.Incomplete, "no plane 0");
        if (DmabufFormats.ToShm(request.Format) is not { } shmFormat)
            throw new ClientProtocolException(message.ObjectId, ParamsError.InvalidFormat, $"format 0x{request.Format:x8} was not offered");
        // y_invert, interlaced, bottom_first: none of the proxy's formats is offered with them.
        if (request.Flags != 0) throw new ClientProtocolException(message.ObjectId, ParamsError.InvalidFormat, $"flags 0x{request.Flags:x} are not supported");
        if (request.Width <= 0 || request.Height <= 0 || (long)pending.Stride < (long)request.Width * DmabufFormats.BytesPerPixel)
            throw new ClientProtocolException(message.ObjectId, ParamsError.InvalidDimensions, $"{request.Width}x{request.Height} with stride {pending.Stride}");
        if (pending.Offset + (long)pending.Stride * request.Height > plane.Length)
            throw new ClientProtocolException(message.ObjectId, ParamsError.OutOfBounds,
                $"{request.Height} rows of {pending.Stride} bytes at {pending.Offset} in a buffer of {plane.Length}");
        objects.AddClientObject(message.ObjectId, request.BufferId, WlBuffer.Interface, 1);

        pending.Plane = null;
        shm.AddShadowedBuffer(pending.ShmId, message.ObjectId, request.BufferId, new GpuBufferPixels(channel, plane),
            new BufferLayout(pending.Offset, request.Width, request.Height, (int)pending.Stride, DmabufFormats.BytesPerPixel), shmFormat);
        if (!_pathLogged)
        {
            _pathLogged = true;
            RelayLog.DmabufPath(logger, clientNumber, "read back from the host's renderer into shm, damage by damage",
                "this transport has no dma-buf path to the host compositor");
        }
    }

    /// <summary>
    /// zwp_linux_buffer_params_v1.create asks the server to make the buffer, under an id the server
    /// picks; the proxy picks none on the host's behalf, so it answers <c>failed</c>, as the
    /// protocol allows. (Mesa and GTK use create_immed.)
    /// </summary>
    public void Create(in WaylandMessage message)
    {
        var pending = _params[message.ObjectId];
        if (pending.Used) throw new ClientProtocolException(message.ObjectId, ParamsError.AlreadyUsed, "create twice");
        pending.Used = true;
        var writer = new WireWriter(_scratch);
        ZwpLinuxBufferParamsV1.FailedEvent.Encode(ref writer, message.ObjectId);
        client.Enqueue(writer.Written);
    }

    /// <summary>zwp_linux_buffer_params_v1.destroy: the host's pool of that id goes, and its delete_id is the client's.</summary>
    public void ParamsDestroyed(uint paramsId)
    {
        if (_params.Remove(paramsId, out var pending)) pending.Plane?.Dispose();
        var writer = new WireWriter(_scratch);
        WlShmPool.DestroyRequest.Encode(ref writer, paramsId);
        toHost.Add(writer.Written, []);
    }

    private static FileDescriptor SealedMemfd(ReadOnlySpan<byte> contents)
    {
        var memfd = MemFd.Create("crossdomain-dmabuf-formats", contents.Length);
        try
        {
            using (var mapping = MemoryMapping.Map(memfd, contents.Length)) contents.CopyTo(mapping.Span);
            // Clients map it MAP_PRIVATE and read only; sealed, no client can change it for another.
            MemFd.AddSeals(memfd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Write | MemFdSeals.Seal);
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    /// <summary>A params object before its buffer: the wl_shm it was made from on the host, and its one plane.</summary>
    private sealed class PendingParams(uint shmId)
    {
        public uint ShmId { get; } = shmId;

        public bool Used { get; set; }

        public MappedBuffer? Plane { get; set; }

        public uint Offset { get; set; }

        public uint Stride { get; set; }
    }
}

using System.Text;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.GuestProxy.Relay;

// Client to host: every request is checked and passed on; these act on a few.
internal sealed partial class ClientSession
{
    private readonly Dictionary<uint, Dictionary<uint, AdvertisedGlobal>> _registries = [];
    private readonly Dictionary<uint, ClientShmPool> _pools = [];
    private readonly Dictionary<uint, ShadowBuffer> _buffers = [];
    private readonly Dictionary<uint, ShmSurface> _surfaces = [];

    // delete_id events the proxy's own pool destroys cause: the client's object is still live.
    private readonly Dictionary<uint, int> _hiddenDeletes = [];

    private void HandleRequest(in WaylandMessage message)
    {
        _objects.TryGet(message.ObjectId, out var target);
        if (message.Signature.Since > target.Version)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod,
                $"{target.Interface.Name}.{message.Signature.Name} needs version {message.Signature.Since}, the object has {target.Version}");
        MessagesToHost++;
        _metrics.Message(_metricTags, toHost: true, MessageHeader.Length + message.Body.Length, message.Fds.Length);
        _tracer?.Trace(Number, toHost: true, target.Interface, message.ObjectId, message.Signature, message.Body.Span);

        switch ((target.Interface.Id, message.Opcode))
        {
            case (WaylandInterfaceId.WlRegistry, WlRegistry.Requests.Bind):
                Bind(message);
                break;
            case (WaylandInterfaceId.WlShm, WlShm.Requests.CreatePool):
                CreatePool(message, target);
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.CreateBuffer):
                CreateBuffer(message, target);
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.Resize):
                ResizePool(message);
                break;
            case (WaylandInterfaceId.WlSurface, _):
                SurfaceRequest(message, target);
                break;
            case (WaylandInterfaceId.WlDataOffer, WlDataOffer.Requests.Receive):
            case (WaylandInterfaceId.ZwpPrimarySelectionOfferV1, ZwpPrimarySelectionOfferV1.Requests.Receive):
                PipeReceive(message, target);
                break;
            case (WaylandInterfaceId.WlDisplay, WlDisplay.Requests.GetRegistry):
                ForwardAsItCame(message, target);
                _registries[message.Created.Id] = [];
                break;
            case (WaylandInterfaceId.WlCompositor, WlCompositor.Requests.CreateSurface):
                ForwardAsItCame(message, target);
                _surfaces[message.Created.Id] = new ShmSurface();
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.Destroy):
                ForwardAsItCame(message, target);
                if (_pools.Remove(message.ObjectId, out var pool)) pool.Dispose();
                break;
            case (WaylandInterfaceId.WlBuffer, WlBuffer.Requests.Destroy):
                ForwardAsItCame(message, target);
                if (_buffers.Remove(message.ObjectId, out var buffer))
                {
                    foreach (var surface in _surfaces.Values) surface.Forget(message.ObjectId);
                    // The destroy must reach the host before the blob behind it is unreferenced.
                    _toHost.Flush();
                    buffer.Dispose();
                }
                break;
            case (WaylandInterfaceId.WpViewporter, WpViewporter.Requests.GetViewport):
                ForwardAsItCame(message, target);
                var reader = message.CreateReader();
                if (reader.TryReadUint(out _) && reader.TryReadObject(false, out uint surfaceId) && _surfaces.TryGetValue(surfaceId, out var viewed))
                    viewed.HasViewport = true;
                break;
            default:
                ForwardAsItCame(message, target);
                break;
        }
    }

    /// <summary>A request the proxy has nothing to change in: its new object recorded, the bytes passed on.</summary>
    private void ForwardAsItCame(in WaylandMessage message, LiveObject target)
    {
        if (message.Fds.Length > 0)
        {
            foreach (var fd in message.Fds) fd.Dispose();
            throw new ClientProtocolException(message.ObjectId, DisplayError.Implementation,
                $"{target.Interface.Name}.{message.Signature.Name} carries an fd the bridge cannot pass to the host");
        }
        Register(message, target);
        Forward(message, []);
    }

    /// <summary>Records the object a request creates, refusing ids that are not the client's to take.</summary>
    private void Register(in WaylandMessage message, LiveObject target)
    {
        if (!message.Created.Exists) return;
        var created = message.Created.ResolvedInterface
            ?? throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidObject, $"unknown interface {message.Created.Interface}");
        RegisterId(message.ObjectId, message.Created.Id, created, target.Version);
    }

    private void RegisterId(uint parent, uint id, WaylandInterface @interface, uint version)
    {
        if (id >= WaylandObjectMap.ServerIdStart || !_objects.TryAdd(id, @interface, version))
            throw new ClientProtocolException(parent, DisplayError.InvalidObject, $"new id {id} is not free");
    }

    private void Bind(in WaylandMessage message)
    {
        if (WlRegistry.BindRequest.TryDecode(message.Body.Span, message.Fds, out var bind) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed bind");
        string name = Encoding.UTF8.GetString(bind.Interface);
        if (!_registries.TryGetValue(message.ObjectId, out var advertised) || !advertised.TryGetValue(bind.Name, out var global)
            || global.Interface != name || !_policy.AllowsBind(name, bind.Version, global.Version))
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidObject,
                $"invalid global {name} ({bind.Name}) version {bind.Version}");
        RegisterId(message.ObjectId, bind.Id, WaylandProtocols.Find(name)!, bind.Version);
        Forward(message, []);
    }

    private void CreatePool(in WaylandMessage message, LiveObject target)
    {
        var fd = message.Fds[0];
        if (WlShm.CreatePoolRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
        {
            fd.Dispose();
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed create_pool");
        }
        try
        {
            RegisterId(message.ObjectId, request.Id, WlShmPool.Interface, target.Version);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
        var pool = ClientShmPool.TryCreate(message.ObjectId, fd, request.Size, out string? problem);
        if (pool is null)
        {
            fd.Dispose();
            throw new ClientProtocolException(message.ObjectId, ShmError.InvalidFd, problem!);
        }
        _pools[request.Id] = pool;

        // The host's pool starts on the placeholder; each buffer later gets a pool of its own there.
        var (placeholder, size) = _shadows.Placeholder();
        var writer = new WireWriter(_scratch);
        WlShm.CreatePoolRequest.Encode(ref writer, message.ObjectId, request.Id, size);
        _toHost.Add(writer.Written, [new ChannelIdentifier(placeholder, IdentifierType.VirtgpuBlob)]);
    }

    private void CreateBuffer(in WaylandMessage message, LiveObject target)
    {
        if (WlShmPool.CreateBufferRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed create_buffer");
        if (!_pools.TryGetValue(message.ObjectId, out var pool))
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidObject, "create_buffer on a destroyed pool");
        uint bytesPerPixel = ShmFormats.BytesPerPixel(request.Format);
        if (bytesPerPixel == 0)
            throw new ClientProtocolException(message.ObjectId, ShmError.InvalidFormat, $"format 0x{request.Format:x8} is not one the bridge carries");
        if (request.Width <= 0 || request.Height <= 0 || request.Offset < 0 || (long)request.Stride < (long)request.Width * bytesPerPixel
            || request.Offset + (long)request.Stride * request.Height > pool.Size)
            throw new ClientProtocolException(message.ObjectId, ShmError.InvalidStride,
                $"invalid buffer {request.Width}x{request.Height} stride {request.Stride} at {request.Offset} in a pool of {pool.Size} bytes");
        RegisterId(message.ObjectId, request.Id, WlBuffer.Interface, target.Version);

        var requirements = _shadows.Requirements((uint)request.Width, (uint)request.Height, ShmFormats.ToDrmFourcc(request.Format));
        var shadow = _shadows.Create(requirements);
        pool.AddReference();
        _buffers[request.Id] = new ShadowBuffer(pool, request.Offset, request.Width, request.Height, request.Stride, (int)bytesPerPixel,
            shadow, (int)requirements.Strides[0]);

        // The pool id is re-made on the host around this buffer's shadow: destroy, create, then the
        // buffer at offset 0 with the host's stride. The compositor's delete_id for the destroy is
        // the proxy's, not the client's (its pool is alive), and is not passed on.
        uint shmId = pool.ShmId, poolId = message.ObjectId;
        _hiddenDeletes[poolId] = _hiddenDeletes.GetValueOrDefault(poolId) + 1;
        var writer = new WireWriter(_scratch);
        WlShmPool.DestroyRequest.Encode(ref writer, poolId);
        _toHost.Add(writer.Written, []);
        writer = new WireWriter(_scratch);
        WlShm.CreatePoolRequest.Encode(ref writer, shmId, poolId, (int)requirements.Size);
        _toHost.Add(writer.Written, [new ChannelIdentifier(shadow.ResourceId, IdentifierType.VirtgpuBlob)]);
        writer = new WireWriter(_scratch);
        WlShmPool.CreateBufferRequest.Encode(ref writer, poolId, request.Id, 0, request.Width, request.Height, (int)requirements.Strides[0], request.Format);
        _toHost.Add(writer.Written, []);
    }

    private void ResizePool(in WaylandMessage message)
    {
        if (WlShmPool.ResizeRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed resize");
        if (!_pools.TryGetValue(message.ObjectId, out var pool)) return;
        string? problem = pool.TryResize(request.Size);
        if (problem is not null) throw new ClientProtocolException(message.ObjectId, ShmError.InvalidFd, problem);
        // Not passed on: on the host every buffer has a pool of exactly its shadow's size.
    }

    private void SurfaceRequest(in WaylandMessage message, LiveObject target)
    {
        var surface = _surfaces.GetValueOrDefault(message.ObjectId);
        var body = message.Body.Span;
        switch (message.Opcode)
        {
            case WlSurface.Requests.Attach when surface is not null && WlSurface.AttachRequest.TryDecode(body, message.Fds, out var attach) == WireError.None:
                surface.Attach(attach.Buffer);
                break;
            case WlSurface.Requests.Damage when surface is not null && WlSurface.DamageRequest.TryDecode(body, message.Fds, out var damage) == WireError.None:
                surface.PendingSurfaceDamage.Add(new DamageRectangle(damage.X, damage.Y, damage.Width, damage.Height));
                break;
            case WlSurface.Requests.DamageBuffer when surface is not null && WlSurface.DamageBufferRequest.TryDecode(body, message.Fds, out var damage) == WireError.None:
                surface.PendingBufferDamage.Add(new DamageRectangle(damage.X, damage.Y, damage.Width, damage.Height));
                break;
            case WlSurface.Requests.SetBufferScale when surface is not null && WlSurface.SetBufferScaleRequest.TryDecode(body, message.Fds, out var scale) == WireError.None:
                surface.PendingScale = scale.Scale;
                break;
            case WlSurface.Requests.SetBufferTransform when surface is not null && WlSurface.SetBufferTransformRequest.TryDecode(body, message.Fds, out var transform) == WireError.None:
                surface.PendingTransform = (uint)transform.Transform;
                break;
            case WlSurface.Requests.Commit when surface is not null:
                CopyCommittedDamage(surface);
                break;
            case WlSurface.Requests.Destroy:
                _surfaces.Remove(message.ObjectId);
                break;
        }
        Register(message, target);
        Forward(message, []);
    }

    /// <summary>
    /// wl_surface.commit: before the commit goes to the host, the damaged part of the committed
    /// buffer (and whatever of it is stale from frames shown in other buffers) is copied into its
    /// shadow. Nothing else is copied.
    /// </summary>
    private void CopyCommittedDamage(ShmSurface surface)
    {
        uint bufferId = surface.HasPendingAttach ? surface.PendingBuffer : surface.CurrentBuffer;
        if (bufferId == 0 || !_buffers.TryGetValue(bufferId, out var shadow))
        {
            surface.Commit(0, 0);
            surface.ClearDamage();
            return;
        }
        var damage = surface.Commit(shadow.Width, shadow.Height);
        foreach (uint other in surface.Show(bufferId))
            if (_buffers.TryGetValue(other, out var otherShadow)) otherShadow.Stale.Add(damage);
        long copied = shadow.CopyDamage(damage);
        surface.ClearDamage();
        if (copied < 0)
            throw new ClientProtocolException(bufferId, ShmError.InvalidFd, "the buffer's memory was truncated under it");
        BytesCopied += copied;
        _metrics.Copied(_metricTags, copied);
    }

    /// <summary>A receive: the client's fd stays here and the host gets the READ_PIPE id it will answer to.</summary>
    private void PipeReceive(in WaylandMessage message, LiveObject target)
    {
        var identifier = _pipes.AddClientReceive(message.Fds[0]);
        Register(message, target);
        Forward(message, [identifier]);
    }

    /// <summary>The request as it came, straight into the SEND batch: the identifiers go with its first byte.</summary>
    private void Forward(in WaylandMessage message, ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        Span<byte> header = stackalloc byte[MessageHeader.Length];
        message.Header.Write(header);
        _toHost.Add(header, identifiers);
        _toHost.Add(message.Body.Span, []);
    }
}

/// <summary>A global as the proxy announced it on one registry.</summary>
internal readonly record struct AdvertisedGlobal(string Interface, uint Version);

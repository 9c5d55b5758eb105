using CrossDomain.GuestProxy.Channel;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.GuestProxy.Relay.Shm;

/// <summary>
/// One client's shm buffers as the host sees them: every client pool and buffer, the shadow blob
/// behind each buffer, and the surfaces whose commits decide what is copied. The host's pools are
/// re-made around each buffer's shadow, so the delete_ids that causes are the proxy's to hide.
/// </summary>
internal sealed class ShmShadowing(CrossDomainChannel channel, HostBoundBatch toHost, WaylandObjectMap objects)
{
    private readonly ShadowAllocator _shadows = new(channel);
    private readonly Dictionary<uint, ClientShmPool> _pools = [];
    private readonly Dictionary<uint, ShadowBuffer> _buffers = [];
    private readonly Dictionary<uint, ShmSurface> _surfaces = [];
    // delete_id events the proxy's own pool destroys cause: the client's object is still live.
    private readonly Dictionary<uint, int> _hiddenDeletes = [];
    private readonly byte[] _scratch = new byte[MaxRewrittenRequest];

    // The largest request written here: wl_shm_pool.create_buffer, a header and six words.
    private const int MaxRewrittenRequest = MessageHeader.Length + 6 * 4;

    public void CreatePool(in WaylandMessage message, LiveObject target)
    {
        var fd = message.Fds[0];
        if (WlShm.CreatePoolRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
        {
            fd.Dispose();
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed create_pool");
        }
        try
        {
            objects.AddClientObject(message.ObjectId, request.Id, WlShmPool.Interface, target.Version);
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
        CreatePlaceholderPool(message.ObjectId, request.Id);
    }

    /// <summary>
    /// A pool on the host with no buffer yet: it starts on the placeholder, and each buffer later
    /// gets a pool of its own there (<see cref="AddShadowedBuffer"/>).
    /// </summary>
    public void CreatePlaceholderPool(uint shmId, uint poolId)
    {
        var (placeholder, size) = _shadows.Placeholder();
        var writer = new WireWriter(_scratch);
        WlShm.CreatePoolRequest.Encode(ref writer, shmId, poolId, size);
        toHost.Add(writer.Written, [new ChannelIdentifier(placeholder, IdentifierType.VirtgpuBlob)]);
    }

    /// <summary>wl_shm_pool.destroy of one of the host's pools, whose delete_id the client is not to see.</summary>
    public void DestroyHostPool(uint poolId)
    {
        _hiddenDeletes[poolId] = _hiddenDeletes.GetValueOrDefault(poolId) + 1;
        var writer = new WireWriter(_scratch);
        WlShmPool.DestroyRequest.Encode(ref writer, poolId);
        toHost.Add(writer.Written, []);
    }

    public void CreateBuffer(in WaylandMessage message, LiveObject target)
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
        objects.AddClientObject(message.ObjectId, request.Id, WlBuffer.Interface, target.Version);

        pool.AddReference();
        AddShadowedBuffer(pool.ShmId, message.ObjectId, request.Id, pool,
            new BufferLayout(request.Offset, request.Width, request.Height, request.Stride, (int)bytesPerPixel), request.Format);
    }

    /// <summary>
    /// A buffer the host sees as shm: a shadow blob laid out as the host asks, and host pool
    /// <paramref name="poolId"/> re-made around it (destroy, create, then the buffer at offset 0
    /// with the host's stride). The compositor's delete_id for the destroy is the proxy's, not the
    /// client's (its object is alive), and is not passed on. The buffer owns <paramref name="pixels"/>.
    /// </summary>
    public void AddShadowedBuffer(uint shmId, uint poolId, uint bufferId, IClientPixels pixels, in BufferLayout layout, uint shmFormat)
    {
        MappedBuffer shadow;
        CrossDomainImageRequirements requirements;
        try
        {
            requirements = _shadows.Requirements((uint)layout.Width, (uint)layout.Height, ShmFormats.ToDrmFourcc(shmFormat));
            shadow = _shadows.Create(requirements);
        }
        catch
        {
            pixels.Dispose();
            throw;
        }
        _buffers[bufferId] = new ShadowBuffer(pixels, layout, shadow, (int)requirements.Strides[0]);

        DestroyHostPool(poolId);
        var writer = new WireWriter(_scratch);
        WlShm.CreatePoolRequest.Encode(ref writer, shmId, poolId, (int)requirements.Size);
        toHost.Add(writer.Written, [new ChannelIdentifier(shadow.ResourceId, IdentifierType.VirtgpuBlob)]);
        writer = new WireWriter(_scratch);
        WlShmPool.CreateBufferRequest.Encode(ref writer, poolId, bufferId, 0, layout.Width, layout.Height, (int)requirements.Strides[0], shmFormat);
        toHost.Add(writer.Written, []);
    }

    public void ResizePool(in WaylandMessage message)
    {
        if (WlShmPool.ResizeRequest.TryDecode(message.Body.Span, message.Fds, out var request) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed resize");
        if (!_pools.TryGetValue(message.ObjectId, out var pool)) return;
        string? problem = pool.TryResize(request.Size);
        if (problem is not null) throw new ClientProtocolException(message.ObjectId, ShmError.InvalidFd, problem);
        // Not passed on: on the host every buffer has a pool of exactly its shadow's size.
    }

    /// <summary>wl_shm_pool.destroy, once passed on: the client's mapping goes when its last buffer does.</summary>
    public void PoolDestroyed(uint poolId)
    {
        if (_pools.Remove(poolId, out var pool)) pool.Dispose();
    }

    /// <summary>wl_buffer.destroy, once passed on.</summary>
    public void BufferDestroyed(uint bufferId)
    {
        if (!_buffers.Remove(bufferId, out var buffer)) return;
        foreach (var surface in _surfaces.Values) surface.Forget(bufferId);
        // The destroy must reach the host before the blob behind it is unreferenced.
        toHost.Flush();
        buffer.Dispose();
    }

    public void SurfaceCreated(uint surfaceId) => _surfaces[surfaceId] = new ShmSurface();

    /// <summary>wp_viewporter.get_viewport, once passed on.</summary>
    public void ViewportCreated(in WaylandMessage message)
    {
        var reader = message.CreateReader();
        if (reader.TryReadUint(out _) && reader.TryReadObject(false, out uint surfaceId) && _surfaces.TryGetValue(surfaceId, out var surface))
            surface.HasViewport = true;
    }

    /// <summary>
    /// A wl_surface request, before it is passed on: what it changes of the surface's pending
    /// state. Returns what a commit of a shm buffer damaged and copied, else null.
    /// </summary>
    public ShmCommitCopy? SurfaceRequest(in WaylandMessage message)
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
                return CopyCommittedDamage(surface);
            case WlSurface.Requests.Destroy:
                _surfaces.Remove(message.ObjectId);
                break;
        }
        return null;
    }

    /// <summary>A delete_id from the host for one of the proxy's own pool destroys: not the client's to see.</summary>
    public bool HidesDelete(uint id)
    {
        if (!_hiddenDeletes.TryGetValue(id, out int hidden)) return false;
        if (hidden == 1) _hiddenDeletes.Remove(id);
        else _hiddenDeletes[id] = hidden - 1;
        return true;
    }

    /// <summary>When the whole context goes: the shadows' blobs go with it, so only the client's memory is let go here.</summary>
    public void ReleaseClientMemory()
    {
        foreach (var buffer in _buffers.Values) buffer.ReleaseClientMemory();
        _buffers.Clear();
        foreach (var pool in _pools.Values) pool.Dispose();
        _pools.Clear();
    }

    /// <summary>
    /// wl_surface.commit: before the commit goes to the host, the damaged part of the committed
    /// buffer (and whatever of it is stale from frames shown in other buffers) is copied into its
    /// shadow. Nothing else is copied.
    /// </summary>
    private ShmCommitCopy? CopyCommittedDamage(ShmSurface surface)
    {
        uint bufferId = surface.HasPendingAttach ? surface.PendingBuffer : surface.CurrentBuffer;
        if (bufferId == 0 || !_buffers.TryGetValue(bufferId, out var shadow))
        {
            surface.Commit(0, 0);
            surface.ClearDamage();
            return null;
        }
        var damage = surface.Commit(shadow.Width, shadow.Height);
        for (var shown = surface.Show(bufferId); shown.MoveNext();)
            if (shown.Current != bufferId && _buffers.TryGetValue(shown.Current, out var otherShadow)) otherShadow.Stale.Add(damage);
        long damaged = shadow.BytesIn(damage);
        bool fills = !shadow.IsFilled;
        long copied = shadow.CopyDamage(damage);
        surface.ClearDamage();
        if (copied < 0)
            throw new ClientProtocolException(bufferId, ShmError.InvalidFd, "the buffer's memory was truncated under it");
        return new ShmCommitCopy(damaged, copied, shadow.IsGuestCopy ? copied : 0, fills);
    }
}

/// <summary>
/// One shm commit's cost: the bytes the client damaged (its rectangles clipped to the buffer) and
/// the bytes copied into the shadow, which adds what went stale while other buffers were shown.
/// The first commit of each buffer <see cref="FillsShadow"/>: it copies the whole buffer whatever
/// its damage, so it is counted apart from the steady state's bound of twice the damage. A shadow
/// that is a guest copy has the same rectangles <see cref="Transferred"/> to the host: the host copies them again.
/// </summary>
internal readonly record struct ShmCommitCopy(long Damaged, long Copied, long Transferred, bool FillsShadow);

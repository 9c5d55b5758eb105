using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Dmabuf;
using CrossDomain.GuestProxy.Relay.HostMemory;
using CrossDomain.GuestProxy.Relay.Pipes;
using CrossDomain.GuestProxy.Relay.Registry;
using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Microsoft.Extensions.Logging;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// One Wayland client and its own cross-domain channel to the host compositor. Requests are read
/// from the client, checked against the signature tables and the object map, translated where
/// they carry fds or shm pixels, and sent in SENDs; events come back in RECEIVEs and are
/// translated the other way. Object ids stay as the client chose them. Everything runs on the
/// proxy's loop thread.
/// </summary>
internal sealed partial class ClientSession : IDisposable
{
    private readonly WaylandConnection _client;
    private readonly CrossDomainChannel _channel;
    private readonly RelayMetrics _metrics;
    private readonly RelayMetrics.ClientTags _metricTags;
    private readonly ILogger _logger;
    private readonly Action<ClientSession> _onClosed;
    private readonly WaylandObjectMap _objects = new();
    private readonly HostBoundBatch _toHost;
    // The compositor's events as RECEIVEs cut them, each with the identifiers that stand for its fds.
    // The host sends a message's identifiers with or before its bytes, so missing ones are an error;
    // and an event is at most what the client's connection may be sent.
    private readonly WaylandFramer<ChannelIdentifier> _fromHost = new(WaylandConnection.DefaultMaxMessageSize, fdsMayFollowBytes: false);
    private readonly RegistryFilter _registries;
    private readonly ShmShadowing _shm;
    // Null where the device cannot carry clients' dma-bufs: then linux-dmabuf is not offered.
    private readonly ClientDmabufs? _dmabufs;
    private readonly PipeRelays _pipes;
    private readonly HostMemoryImport _hostMemory;
    private readonly MessageTracer? _tracer;
    private readonly FdWatch _clientWatch;
    private readonly FdWatch _channelWatch;
    private readonly FdWatch? _deviceWatch;
    private readonly MessageResolver _resolveRequest;
    private readonly MessageResolver _resolveEvent;
    private bool _closed;
    private bool _disposed;

    public ClientSession(int number, UnixSocket socket, CrossDomainChannel channel, EventLoop loop, GlobalPolicy policy,
        RelayMetrics metrics, MessageTracer? tracer, ILogger logger, Action<ClientSession> onClosed)
    {
        Number = number;
        _client = new WaylandConnection(socket);
        _channel = channel;
        _metrics = metrics;
        _metricTags = new RelayMetrics.ClientTags(number);
        _tracer = tracer;
        _logger = logger;
        _onClosed = onClosed;
        _toHost = new HostBoundBatch(channel);
        _registries = new RegistryFilter(policy);
        _shm = new ShmShadowing(channel, _toHost, _objects);
        if (channel.HostMemory == HostMemoryAccess.CopiedByTransfers)
            RelayLog.ShmPath(logger, number, "copied into guest pages, then transferred to the host damage by damage", "the device has no host-visible memory");
        else if (channel.HostMemory == HostMemoryAccess.None)
            RelayLog.ShmPath(logger, number, "refused, and a client that makes one is closed",
                "the device has no host-visible memory, and the host offers no guest-memory transfers");
        if (channel.DmabufDevice is { } renderNode)
            _dmabufs = new ClientDmabufs(channel, renderNode, _toHost, _objects, _shm, _client, logger, number);
        _pipes = new PipeRelays(loop, channel, logger);
        _hostMemory = new HostMemoryImport(channel);
        _resolveRequest = (uint id, ushort opcode, out WireError error) => _objects.Resolve(id, opcode, MessageDirection.Requests, out error);
        _resolveEvent = (uint id, ushort opcode, out WireError error) => _objects.Resolve(id, opcode, MessageDirection.Events, out error);
        _clientWatch = loop.Watch(socket.Handle, Readiness.Readable, OnClientReady);
        _channelWatch = loop.Watch(channel.ReceiveReadyFd, Readiness.Readable, _ => OnChannelReady());
        // Commands are queued without waiting for replies, so a host service that goes away would
        // otherwise go unnoticed until the client next waits on it, which may be for ever.
        if (channel.DeviceGoneFd is { } gone)
            _deviceWatch = loop.Watch(gone, Readiness.Readable, _ => Close("the host service went away"));
        metrics.ClientConnected();
    }

    /// <summary>The client's number in this proxy's log and metrics.</summary>
    public int Number { get; }

    /// <summary>Commits of this client's shm buffers.</summary>
    public long ShmCommits { get; private set; }

    /// <summary>shm pixels copied from this client's buffers into their host shadows.</summary>
    public long BytesCopied { get; private set; }

    /// <summary>What the commits after each buffer's first damaged, and what they copied: the steady state, bound to twice the damage.</summary>
    public long DamagedAfterFill { get; private set; }

    public long CopiedAfterFill { get; private set; }

    /// <summary>Of <see cref="CopiedAfterFill"/>, what went to guest copies and so was transferred to the host as well.</summary>
    public long TransferredAfterFill { get; private set; }

    public long MessagesToHost { get; private set; }

    public long MessagesToClient { get; private set; }

    private void OnClientReady(Readiness readiness)
    {
        if (_closed) return;
        if ((readiness & Readiness.Writable) != 0) FlushClient();
        if ((readiness & (Readiness.Readable | Readiness.HangUp | Readiness.Error)) == 0) return;
        var result = _client.Fill();
        if (result.Status is IoStatus.EndOfStream || result.IsError)
        {
            Close(result.IsError ? $"its socket failed (errno {result.Errno})" : "it disconnected");
            return;
        }
        try
        {
            while (!_closed)
            {
                var status = _client.TryReadMessage(_resolveRequest, out var message, out var error);
                if (status == ReadStatus.NeedMoreData) break;
                if (status == ReadStatus.Malformed)
                {
                    FailClient(WaylandObjectMap.DisplayId, DisplayError.InvalidMethod, $"malformed request: {error}");
                    return;
                }
                HandleRequest(message);
            }
            if (_closed) return;
            _toHost.Flush();
            // Events the proxy answers itself (linux-dmabuf feedback, delete_ids it owns) go out now,
            // not with the host's next event.
            if (_client.HasPendingOutput) FlushClient();
        }
        catch (ClientProtocolException violation)
        {
            FailClient(violation.ObjectId, violation.Code, violation.Message);
        }
        catch (CrossDomainChannelException failure)
        {
            Close($"the virtio-gpu device failed: {failure.Message}");
        }
    }

    private void OnChannelReady()
    {
        if (_closed) return;
        bool hostClosed = false;
        try
        {
            while (!_client.IsCongested && _channel.TryReceive(out var received))
            {
                RelayLog.ChannelEvent(_logger, Number, received.Command, received.Data.Length, received.Identifiers.Length);
                if (received.Command == VirtioGpu.CrossDomain.CrossDomainCommand.Read)
                {
                    _pipes.OnHostRead(received.PipeId, received.Data, received.HangUp);
                    _channel.Release();
                    continue;
                }
                if (received.IsEndOfStream)
                {
                    _channel.Release();
                    hostClosed = true;
                    break;
                }
                if (!AppendFromRing(received))
                {
                    Close("the host sent more than a Wayland stream can hold");
                    return;
                }
                _channel.Release();
                if (!DispatchEvents()) return;
            }
        }
        catch (Exception failure) when (failure is CrossDomainChannelException or InvalidDataException)
        {
            Close($"the cross-domain channel failed: {failure.Message}");
            return;
        }
        FlushClient();
        // While the client does not read, its events stay in the host's channel: the host then stops
        // reading the compositor for it, and the back-pressure reaches the source.
        _channelWatch.Change(_client.IsCongested ? Readiness.None : Readiness.Readable);
        if (hostClosed) Close("the host compositor closed its connection");
    }

    /// <summary>The first copy of the compositor's bytes: out of the ring, straight into the stream that frames them.</summary>
    private bool AppendFromRing(ChannelEvent received)
    {
        long movedBefore = _fromHost.BytesMoved;
        if (!_fromHost.TryAppend(received.Data, received.Identifiers)) return false;
        _metrics.EventBytesReceived(_metricTags, received.Data.Length);
        CountEventCopies(received.Data.Length + _fromHost.BytesMoved - movedBefore);
        return true;
    }

    // Every copy of the compositor's bytes in this process is counted where it is made: from the
    // ring into _fromHost, from there into the client's output queue, and what either buffer moves
    // to make room. EventCopyTests holds the total to three per byte received.
    private void CountEventCopies(long bytes) => _metrics.EventBytesCopied(_metricTags, bytes);

    private bool DispatchEvents()
    {
        while (true)
        {
            var status = _fromHost.TryRead(_resolveEvent, out var hostEvent, out var error);
            if (status == ReadStatus.NeedMoreData) return true;
            if (status == ReadStatus.Malformed)
            {
                Close($"the host sent a malformed event ({error})");
                return false;
            }
            if (!HandleEvent(hostEvent)) return false;
        }
    }

    private void FlushClient()
    {
        var result = _client.Flush();
        if (result.IsError)
        {
            Close($"writing to it failed (errno {result.Errno})");
            return;
        }
        _clientWatch.Change(_client.HasPendingOutput ? Readiness.Readable | Readiness.Writable : Readiness.Readable);
        if (!_client.IsCongested) _channelWatch.Change(Readiness.Readable);
    }

    /// <summary>Sends wl_display.error and ends the client, as a compositor does on a protocol violation.</summary>
    private void FailClient(uint objectId, uint code, string message)
    {
        RelayLog.ProtocolError(_logger, Number, objectId, code, message);
        var writer = new WireWriter(_client.GetOutputSpan(WaylandConnection.DefaultMaxMessageSize));
        WlDisplay.ErrorEvent.Encode(ref writer, WaylandObjectMap.DisplayId, objectId, code, message);
        _client.CommitOutput(writer.Length);
        _client.Flush();
        Close("protocol error");
    }

    private void Close(string reason)
    {
        if (_closed) return;
        _closed = true;
        RelayLog.ClientClosed(_logger, Number, reason, MessagesToHost, MessagesToClient, ShmCommits, BytesCopied, DamagedAfterFill, CopiedAfterFill, TransferredAfterFill);
        Dispose();
        _onClosed(this);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = _closed = true;
        _clientWatch.Dispose();
        _channelWatch.Dispose();
        _deviceWatch?.Dispose();
        _pipes.Dispose();
        // The shadows' blobs and imported buffers go with the context below, so only the client's memory is let go here.
        _shm.ReleaseClientMemory();
        _client.Dispose();
        // CTX_DESTROY on the host ends the compositor connection and frees every blob of the context.
        _channel.Dispose();
        _metrics.ClientDisconnected();
    }
}

using CrossDomain.GuestProxy.Channel;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using Microsoft.Extensions.Logging;
using static Tmds.Linux.LibC;

namespace CrossDomain.GuestProxy.Relay.Pipes;

/// <summary>
/// Clipboard and drag-and-drop data of one client. A client's receive (it reads what the host
/// writes) goes across as a READ_PIPE: the host sends READs, written here into the client's fd. A
/// host's send (the client writes what a host app reads) comes as a WRITE_PIPE: the client gets
/// the write end of a new pipe, and what it writes goes to the host in WRITEs.
/// </summary>
internal sealed class PipeRelays(EventLoop loop, CrossDomainChannel channel, ILogger logger) : IDisposable
{
    private readonly EventLoop _loop = loop;
    private readonly CrossDomainChannel _channel = channel;
    private readonly ILogger _logger = logger;

    /// <summary>Pipe data held for a client that does not read; past this the pipe is dropped.</summary>
    public const int MaxBufferedBytes = 1 << 20;

    private readonly Dictionary<uint, ClientBoundPipe> _toClient = [];
    private readonly Dictionary<uint, HostBoundPipe> _toHost = [];
    private readonly byte[] _readBuffer = new byte[CrossDomainLimits.MaxReadWritePayload];

    public int Count => _toClient.Count + _toHost.Count;

    /// <summary>A client's receive: its fd becomes the READ_PIPE identifier the host expects next.</summary>
    public ChannelIdentifier AddClientReceive(FileDescriptor clientWriteEnd)
    {
        uint id = _channel.NextReadPipeId();
        // Non-blocking on our side: a client that stops reading must not stop the proxy.
        fcntl(clientWriteEnd.Fd, F_SETFL, fcntl(clientWriteEnd.Fd, F_GETFL) | O_NONBLOCK);
        if (_toClient.Remove(id, out var stale)) stale.Dispose();
        _toClient[id] = new ClientBoundPipe(this, id, clientWriteEnd);
        return new ChannelIdentifier(id, IdentifierType.ReadPipe);
    }

    /// <summary>A host's send (WRITE_PIPE <paramref name="hostPipeId"/>): returns the fd for the client to write into.</summary>
    public FileDescriptor AddHostSend(uint hostPipeId)
    {
        // Only our end is non-blocking: the client's end must block as a compositor's does, or a
        // client writing more than the pipe holds in a plain write loop fails with EAGAIN.
        var (readEnd, writeEnd) = Pipe.Create(nonBlocking: false);
        fcntl(readEnd.Fd, F_SETFL, fcntl(readEnd.Fd, F_GETFL) | O_NONBLOCK);
        if (_toHost.Remove(hostPipeId, out var stale)) stale.Dispose();
        _toHost[hostPipeId] = new HostBoundPipe(this, hostPipeId, readEnd);
        return writeEnd;
    }

    /// <summary>A READ from the host: data for the client's receive fd, and whether the host's end closed.</summary>
    public void OnHostRead(uint pipeId, ReadOnlySpan<byte> data, bool hangUp)
    {
        if (!_toClient.TryGetValue(pipeId, out var pipe))
        {
            _logger.LogDebug("READ for pipe {PipeId}, which is not open: dropped", pipeId);
            return;
        }
        pipe.Write(data, hangUp);
    }

    public void Dispose()
    {
        foreach (var pipe in _toClient.Values.ToArray()) pipe.Dispose();
        foreach (var pipe in _toHost.Values.ToArray()) pipe.Dispose();
    }

    private sealed class ClientBoundPipe : IDisposable
    {
        private readonly PipeRelays _owner;
        private readonly uint _id;
        private readonly FileDescriptor _fd;
        private readonly List<byte> _pending = [];
        private FdWatch? _watch;
        private bool _hangUp;

        public ClientBoundPipe(PipeRelays owner, uint id, FileDescriptor fd)
        {
            _owner = owner;
            _id = id;
            _fd = fd;
        }

        public void Write(ReadOnlySpan<byte> data, bool hangUp)
        {
            _hangUp |= hangUp;
            if (_pending.Count == 0)
            {
                int written = WriteSome(data);
                if (written < 0) return;
                data = data[written..];
            }
            if (_pending.Count + data.Length > MaxBufferedBytes)
            {
                _owner._logger.LogWarning("Client stopped reading pipe {PipeId}; {Bytes} bytes dropped and the pipe closed", _id, _pending.Count + data.Length);
                Dispose();
                return;
            }
            foreach (byte b in data) _pending.Add(b);
            if (_pending.Count > 0) _watch ??= _owner._loop.Watch(_fd, Readiness.Writable, _ => Drain());
            else if (_hangUp) Dispose();
        }

        public void Dispose()
        {
            _watch?.Dispose();
            _fd.Dispose();
            _owner._toClient.Remove(_id);
        }

        private void Drain()
        {
            var bytes = _pending.ToArray();
            int written = WriteSome(bytes);
            if (written < 0) return;
            _pending.RemoveRange(0, written);
            if (_pending.Count > 0) return;
            _watch?.Dispose();
            _watch = null;
            if (_hangUp) Dispose();
        }

        // Bytes written before the pipe would block; -1 when the pipe is gone (then it is closed).
        private int WriteSome(ReadOnlySpan<byte> data)
        {
            int total = 0;
            while (total < data.Length)
            {
                var result = Pipe.Write(_fd, data[total..]);
                if (result.Status == IoStatus.WouldBlock) break;
                if (result.IsError)
                {
                    Dispose();
                    return -1;
                }
                total += result.Bytes;
            }
            return total;
        }
    }

    private sealed class HostBoundPipe : IDisposable
    {
        private readonly PipeRelays _owner;
        private readonly uint _id;
        private readonly FileDescriptor _readEnd;
        private readonly FdWatch _watch;

        public HostBoundPipe(PipeRelays owner, uint id, FileDescriptor readEnd)
        {
            _owner = owner;
            _id = id;
            _readEnd = readEnd;
            _watch = owner._loop.Watch(readEnd, Readiness.Readable, _ => Forward());
        }

        public void Dispose()
        {
            _watch.Dispose();
            _readEnd.Dispose();
            _owner._toHost.Remove(_id);
        }

        private void Forward()
        {
            var result = Pipe.Read(_readEnd, _owner._readBuffer);
            switch (result.Status)
            {
                case IoStatus.Done:
                    _owner._channel.Write(_id, _owner._readBuffer.AsSpan(0, result.Bytes), hangUp: false);
                    break;
                case IoStatus.WouldBlock:
                    break;
                default:
                    _owner._channel.Write(_id, [], hangUp: true);
                    Dispose();
                    break;
            }
        }
    }
}

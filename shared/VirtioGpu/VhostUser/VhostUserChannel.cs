using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Whole vhost-user messages (12-byte header, payload, fds) over a non-blocking Unix stream
/// socket, checked against <see cref="MessageRules"/>.
/// <para>
/// Input is read in two steps, header then exactly the payload it announces, never past the end
/// of the current message: the kernel attaches fds to the first byte of the sendmsg that carried
/// them, so every fd that arrives while a message is read belongs to that message.
/// </para>
/// <para>
/// <see cref="TryReceive"/> and <see cref="Send"/> never block (the back-end drives them from
/// readiness); <see cref="ReceiveWithin"/> and <see cref="FlushWithin"/> wait with poll(2) for the
/// request/response paths of a front-end. Nothing a peer sends makes these throw: a broken
/// message faults the channel with a <see cref="ChannelError"/>.
/// </para>
/// </summary>
public sealed class VhostUserChannel : IDisposable
{
    /// <summary>Output held back while the peer is not reading; past this the peer is considered stuck.</summary>
    public const int MaxQueuedOutputBytes = 64 * 1024;

    private readonly byte[] _headerBytes = new byte[MessageHeader.Length];
    private int _headerFilled;
    private MessageHeader _header;
    private PayloadShape _shape;
    private byte[] _payload = [];
    private int _payloadFilled;
    private readonly List<FileDescriptor> _incomingFds = new(VhostUserLimits.MaxFdsPerMessage);

    private readonly Queue<QueuedOutput> _output = new();
    private int _queuedBytes;

    public VhostUserChannel(UnixSocket socket, MessageRules rules)
    {
        Socket = socket;
        Rules = rules;
    }

    /// <summary>The socket, owned by this channel.</summary>
    public UnixSocket Socket { get; }

    public FileDescriptor Handle => Socket.Handle;

    public MessageRules Rules { get; }

    /// <summary>Why the channel stopped; <see cref="ChannelError.None"/> while it works.</summary>
    public ChannelError Error { get; private set; }

    /// <summary>The errno behind <see cref="ChannelError.SocketFailed"/>.</summary>
    public int ErrorErrno { get; private set; }

    public bool IsBroken => Error != ChannelError.None;

    internal bool HasQueuedOutput => _output.Count > 0;

    /// <summary>One step of non-blocking input: a whole message, or why there is none.</summary>
    public ReceiveResult TryReceive(out VhostUserMessage? message)
    {
        message = null;
        if (IsBroken) return Stopped();
        while (true)
        {
            if (_headerFilled < MessageHeader.Length)
            {
                if (!TryReceiveInto(_headerBytes.AsSpan(_headerFilled), out int received, out var stop)) return stop;
                _headerFilled += received;
                if (_headerFilled < MessageHeader.Length) continue;
                var verdict = AcceptHeader();
                if (verdict != ChannelError.None) return Fault(verdict);
            }
            if (_payloadFilled < _payload.Length)
            {
                if (!TryReceiveInto(_payload.AsSpan(_payloadFilled), out int received, out var stop)) return stop;
                _payloadFilled += received;
                if (_payloadFilled < _payload.Length) continue;
            }
            if (_incomingFds.Count < _shape.MinFds) return Fault(ChannelError.MissingFds);
            message = new VhostUserMessage(_header, _payload, [.. _incomingFds], _shape.IsKnown);
            _incomingFds.Clear();
            _headerFilled = 0;
            _payload = [];
            _payloadFilled = 0;
            return ReceiveResult.Received;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for a whole message.</summary>
    public ReceiveResult ReceiveWithin(int timeoutMilliseconds, out VhostUserMessage? message)
    {
        long deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (true)
        {
            var result = TryReceive(out message);
            if (result.Status != ReceiveStatus.WouldBlock) return result;
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || !ReadinessWait.Wait(Handle.Fd, ReadinessWait.Readable, (int)remaining))
                return ReceiveResult.TimedOut;
        }
    }

    public SendStatus Send<T>(uint request, MessageFlags flags, in T payload, ReadOnlySpan<FileDescriptor> fds = default)
        where T : unmanaged =>
        Send(request, flags, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in payload)), fds);

    /// <summary>
    /// Sends one message, or queues what the socket would not take (with duplicates of the fds
    /// when none of it went out, so the caller keeps ownership of <paramref name="fds"/> either way).
    /// </summary>
    public SendStatus Send(uint request, MessageFlags flags, ReadOnlySpan<byte> payload, ReadOnlySpan<FileDescriptor> fds = default)
    {
        if (payload.Length > VhostUserLimits.MaxPayload)
            throw new ArgumentException($"A payload of {payload.Length} bytes is over the {VhostUserLimits.MaxPayload}-byte limit.", nameof(payload));
        if (fds.Length > VhostUserLimits.MaxFdsPerMessage)
            throw new ArgumentException($"At most {VhostUserLimits.MaxFdsPerMessage} fds go in one message.", nameof(fds));
        if (IsBroken) return SendStatus.Failed;

        Span<byte> bytes = stackalloc byte[MessageHeader.Length + payload.Length];
        var header = new MessageHeader(request, flags, (uint)payload.Length);
        MemoryMarshal.Write(bytes, in header);
        payload.CopyTo(bytes[MessageHeader.Length..]);

        if (_output.Count > 0) return Enqueue(bytes, fds) ? Flush() : SendStatus.Failed;

        var result = Socket.Send(bytes, fds);
        switch (result.Status)
        {
            case IoStatus.Done when result.Bytes == bytes.Length:
                return SendStatus.Sent;
            case IoStatus.Done:
                // The fds went with the first byte; only bytes remain.
                return Enqueue(bytes[result.Bytes..], default) ? SendStatus.Queued : SendStatus.Failed;
            case IoStatus.WouldBlock:
                return Enqueue(bytes, fds) ? SendStatus.Queued : SendStatus.Failed;
            default:
                Fault(ChannelError.SocketFailed, result.Errno);
                return SendStatus.Failed;
        }
    }

    /// <summary>Writes queued output until the socket would block.</summary>
    public SendStatus Flush()
    {
        if (IsBroken) return SendStatus.Failed;
        while (_output.TryPeek(out var pending))
        {
            var fds = pending.Offset == 0 ? pending.Fds : [];
            var result = Socket.Send(pending.Bytes.AsSpan(pending.Offset), fds);
            if (result.Status == IoStatus.WouldBlock) return SendStatus.Queued;
            if (result.Status != IoStatus.Done)
            {
                Fault(ChannelError.SocketFailed, result.Errno);
                return SendStatus.Failed;
            }
            pending.Offset += result.Bytes;
            _queuedBytes -= result.Bytes;
            if (pending.Offset < pending.Bytes.Length) continue;
            pending.Release();
            _output.Dequeue();
        }
        return SendStatus.Sent;
    }

    /// <summary>Flushes, waiting for the socket to drain for up to <paramref name="timeoutMilliseconds"/>.</summary>
    public SendStatus FlushWithin(int timeoutMilliseconds)
    {
        long deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (true)
        {
            var status = Flush();
            if (status != SendStatus.Queued) return status;
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || !ReadinessWait.Wait(Handle.Fd, ReadinessWait.Writable, (int)remaining))
            {
                Fault(ChannelError.TimedOut);
                return SendStatus.Failed;
            }
        }
    }

    /// <summary>Marks the channel broken (e.g. a reply that never came); later calls fail at once.</summary>
    public void Break(ChannelError error)
    {
        if (error == ChannelError.None) throw new ArgumentOutOfRangeException(nameof(error));
        Fault(error);
    }

    public void Dispose()
    {
        if (!IsBroken) Error = ChannelError.Disposed;
        ReleaseIncomingFds();
        while (_output.TryDequeue(out var pending)) pending.Release();
        _queuedBytes = 0;
        Socket.Dispose();
    }

    /// <summary>One recvmsg into <paramref name="buffer"/>; false with the reason to stop when no bytes came.</summary>
    private bool TryReceiveInto(Span<byte> buffer, out int received, out ReceiveResult stop)
    {
        var result = Socket.Receive(buffer, _incomingFds);
        received = result.Bytes;
        stop = result.Status switch
        {
            IoStatus.Done when _incomingFds.Count > MaxFdsNow() => Fault(ChannelError.TooManyFds),
            IoStatus.Done => ReceiveResult.Received,
            IoStatus.WouldBlock => ReceiveResult.WouldBlock,
            IoStatus.EndOfStream => Fault(IsBetweenMessages ? ChannelError.PeerClosed : ChannelError.TruncatedMessage),
            IoStatus.ControlTruncated => Fault(ChannelError.FdOverflow),
            _ => Fault(ChannelError.SocketFailed, result.Errno),
        };
        return stop.IsMessage;
    }

    private bool IsBetweenMessages => _headerFilled == 0 && _incomingFds.Count == 0;

    private int MaxFdsNow() =>
        _headerFilled < MessageHeader.Length ? VhostUserLimits.MaxFdsPerMessage : _shape.MaxFds;

    private ChannelError AcceptHeader()
    {
        _header = MemoryMarshal.Read<MessageHeader>(_headerBytes);
        if (Rules.RequiresVersion1 && _header.Version != 1) return ChannelError.BadVersion;
        if (_header.IsReply != Rules.ReadsReplies) return ChannelError.UnexpectedDirection;
        if (Rules.ShapeOf(_header.Request) is not { } shape) return ChannelError.UnknownRequest;
        if (!shape.AllowsLength(_header.Size)) return ChannelError.BadPayloadSize;
        if (_incomingFds.Count > shape.MaxFds) return ChannelError.TooManyFds;
        _shape = shape;
        // Bounded by the shape, which is bounded by VhostUserLimits.MaxPayload.
        _payload = _header.Size == 0 ? [] : new byte[_header.Size];
        _payloadFilled = 0;
        return ChannelError.None;
    }

    private bool Enqueue(ReadOnlySpan<byte> bytes, ReadOnlySpan<FileDescriptor> fds)
    {
        if (_queuedBytes + bytes.Length > MaxQueuedOutputBytes)
        {
            Fault(ChannelError.OutputOverflow);
            return false;
        }
        var copies = new FileDescriptor[fds.Length];
        try
        {
            for (int i = 0; i < fds.Length; i++) copies[i] = fds[i].Duplicate();
        }
        catch (Win32Exception exception)
        {
            foreach (var copy in copies) copy?.Dispose();
            Fault(ChannelError.SocketFailed, exception.NativeErrorCode);
            return false;
        }
        _output.Enqueue(new QueuedOutput(bytes.ToArray(), copies));
        _queuedBytes += bytes.Length;
        return true;
    }

    private ReceiveResult Fault(ChannelError error, int errno = 0)
    {
        if (!IsBroken)
        {
            Error = error;
            ErrorErrno = errno;
        }
        ReleaseIncomingFds();
        return Stopped();
    }

    private ReceiveResult Stopped() => Error == ChannelError.PeerClosed
        ? new ReceiveResult(ReceiveStatus.Closed, Error)
        : new ReceiveResult(ReceiveStatus.Faulted, Error, ErrorErrno);

    private void ReleaseIncomingFds()
    {
        foreach (var fd in _incomingFds) fd.Dispose();
        _incomingFds.Clear();
    }

    private sealed class QueuedOutput(byte[] bytes, FileDescriptor[] fds)
    {
        public byte[] Bytes { get; } = bytes;

        public FileDescriptor[] Fds { get; } = fds;

        public int Offset { get; set; }

        public void Release()
        {
            foreach (var fd in Fds) fd.Dispose();
        }
    }
}

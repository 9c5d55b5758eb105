using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Wayland.Connection;

/// <summary>Looks up the signature of a message so its fds can be paired with it.</summary>
public delegate MessageSignature? MessageResolver(uint objectId, ushort opcode, out WireError error);

/// <summary>
/// A Wayland stream over a non-blocking Unix socket. Input: bytes and fds are queued separately as
/// they arrive (fds may come with any byte of a message) and paired when a whole message is there,
/// by its signature's fd count. Output: messages are batched and flushed at most
/// <see cref="MaxBatchBytes"/> bytes and <see cref="UnixSocket.MaxFdsPerMessage"/> fds per sendmsg,
/// as libwayland does, so any libwayland peer can take what we send.
/// </summary>
public sealed class WaylandConnection : IDisposable
{
    public const int DefaultMaxMessageSize = 4096;
    public const int MaxBatchBytes = 4096;

    /// <summary>fds a peer may have in flight ahead of the messages that use them (libwayland keeps 1024).</summary>
    public const int MaxQueuedFds = 1024;

    /// <summary>Queued output above which <see cref="IsCongested"/> tells the producer to stop reading its source.</summary>
    public const int DefaultCongestionThreshold = 1 << 20;

    private readonly int _maxMessageSize;
    private readonly int _congestionThreshold;
    private readonly byte[] _input;
    private int _inputStart;
    private int _inputEnd;
    private readonly Queue<FileDescriptor> _inputFds = new();
    private readonly List<FileDescriptor> _receivedFds = new(UnixSocket.MaxFdsPerMessage);

    private byte[] _output = new byte[MaxBatchBytes];
    private int _outputStart;
    private int _outputEnd;
    // Each queued fd with the output offset of the message it belongs to, in order.
    private readonly Queue<(FileDescriptor Fd, long MessageOffset)> _outputFds = new();
    private long _outputBase; // stream offset of _output[0]
    private readonly FileDescriptor[] _sendBatch = new FileDescriptor[UnixSocket.MaxFdsPerMessage];

    public WaylandConnection(UnixSocket socket, int maxMessageSize = DefaultMaxMessageSize, int congestionThreshold = DefaultCongestionThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, MessageHeader.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessageSize, MessageHeader.MaxMessageSize);
        Socket = socket;
        _maxMessageSize = maxMessageSize;
        _congestionThreshold = congestionThreshold;
        // Twice the largest message, so one partial message plus a full read always fit.
        _input = new byte[Math.Max(2 * maxMessageSize, 8192)];
    }

    public UnixSocket Socket { get; }

    /// <summary>Bytes queued for sending.</summary>
    public int PendingOutput => _outputEnd - _outputStart;

    public bool HasPendingOutput => PendingOutput > 0;

    public bool IsCongested => PendingOutput >= _congestionThreshold;

    /// <summary>Bytes received but not yet returned as messages.</summary>
    public int PendingInput => _inputEnd - _inputStart;

    public int PendingInputFds => _inputFds.Count;

    /// <summary>
    /// One non-blocking read from the socket into the input queue. <see cref="IoStatus.Failed"/> with
    /// errno EMFILE-like failures, <see cref="IoStatus.ControlTruncated"/> and an fd flood are errors;
    /// <see cref="IoStatus.EndOfStream"/> is the peer hanging up.
    /// </summary>
    public IoResult Fill()
    {
        if (_inputStart == _inputEnd) _inputStart = _inputEnd = 0;
        // Full of bytes that are not a message yet: the first one is waiting for fds that never
        // came. A read into no room would look like the peer hanging up.
        if (PendingInput == _input.Length) return IoResult.Failed(Tmds.Linux.LibC.EMSGSIZE);
        if (_inputEnd == _input.Length)
        {
            Buffer.BlockCopy(_input, _inputStart, _input, 0, PendingInput);
            _inputEnd -= _inputStart;
            _inputStart = 0;
        }
        _receivedFds.Clear();
        var result = Socket.Receive(_input.AsSpan(_inputEnd), _receivedFds);
        foreach (var fd in _receivedFds) _inputFds.Enqueue(fd);
        _receivedFds.Clear();
        if (result.Status == IoStatus.Done) _inputEnd += result.Bytes;
        if (_inputFds.Count > MaxQueuedFds) return IoResult.Failed(Tmds.Linux.LibC.EMFILE);
        return result;
    }

    /// <summary>
    /// Takes the next whole message out of the input queue. Returns <see cref="ReadStatus.NeedMoreData"/>
    /// when the bytes (or the fds) of the next message have not all arrived yet. On
    /// <see cref="ReadStatus.Malformed"/> the connection is unusable: the peer broke the protocol.
    /// </summary>
    public ReadStatus TryReadMessage(MessageResolver resolver, out WaylandMessage message, out WireError error)
    {
        message = default;
        var pending = _input.AsSpan(_inputStart, PendingInput);
        if (!MessageHeader.TryRead(pending, _maxMessageSize, out var header, out error))
            return error == WireError.None ? ReadStatus.NeedMoreData : ReadStatus.Malformed;
        if (pending.Length < header.Size) return ReadStatus.NeedMoreData;

        var signature = resolver(header.ObjectId, header.Opcode, out error);
        if (signature is null)
        {
            if (error == WireError.None) error = WireError.UnknownObject;
            return ReadStatus.Malformed;
        }

        var body = pending.Slice(MessageHeader.Length, header.BodyLength);
        error = MessageValidator.Validate(signature, body, _inputFds.Count, out var created);
        // Missing fds right after the bytes is not yet an error: a peer may send them with a later
        // write. If they never come, the input fills up and Fill reports it.
        if (error == WireError.FdMissing) return ReadStatus.NeedMoreData;
        if (error != WireError.None) return ReadStatus.Malformed;

        var fds = signature.FdCount == 0 ? [] : new FileDescriptor[signature.FdCount];
        for (int i = 0; i < fds.Length; i++) fds[i] = _inputFds.Dequeue();
        message = new WaylandMessage(header, signature, _input.AsMemory(_inputStart + MessageHeader.Length, header.BodyLength), fds, created);
        _inputStart += header.Size;
        return ReadStatus.Message;
    }

    /// <summary>
    /// Queues one encoded message and takes ownership of its fds (closed once sent or when the
    /// connection is disposed). Nothing is written to the socket until <see cref="Flush"/>.
    /// </summary>
    public void Enqueue(ReadOnlySpan<byte> message, ReadOnlySpan<FileDescriptor> fds = default)
    {
        if (fds.Length > UnixSocket.MaxFdsPerMessage || message.Length > _maxMessageSize || (message.Length & 3) != 0)
        {
            foreach (var fd in fds) fd.Dispose();
            throw new ArgumentException($"A message is at most {_maxMessageSize} bytes, a multiple of 4, with at most {UnixSocket.MaxFdsPerMessage} fds.", nameof(message));
        }
        EnsureOutputRoom(message.Length);
        long offset = _outputBase + _outputEnd;
        message.CopyTo(_output.AsSpan(_outputEnd));
        _outputEnd += message.Length;
        foreach (var fd in fds) _outputFds.Enqueue((fd, offset));
    }

    /// <summary>
    /// Sends queued output until it is all written or the socket would block. Each sendmsg carries
    /// at most <see cref="MaxBatchBytes"/> bytes and 28 fds, and the fds of a message always go with
    /// or before its first byte.
    /// </summary>
    public IoResult Flush()
    {
        int total = 0;
        while (PendingOutput > 0)
        {
            long start = _outputBase + _outputStart;
            int length = Math.Min(PendingOutput, MaxBatchBytes);
            int fdCount = SelectFdsForBatch(start, ref length);

            int copied = 0;
            foreach (var (fd, _) in _outputFds)
            {
                if (copied == fdCount) break;
                _sendBatch[copied++] = fd;
            }
            var result = Socket.Send(_output.AsSpan(_outputStart, length), _sendBatch.AsSpan(0, fdCount));
            Array.Clear(_sendBatch, 0, fdCount);
            if (result.Status != IoStatus.Done)
                return total > 0 && result.Status == IoStatus.WouldBlock ? IoResult.Done(total) : result;

            // The kernel attaches the fds to the first byte it takes, so they are gone from us now.
            for (int i = 0; i < fdCount; i++) _outputFds.Dequeue().Fd.Dispose();
            _outputStart += result.Bytes;
            total += result.Bytes;
        }
        _outputBase += _outputStart;
        _outputStart = _outputEnd = 0;
        return IoResult.Done(total);
    }

    // Takes the fds of whole messages that start inside [start, start + length) while they fit in
    // one sendmsg; if a message's fds do not fit, the batch ends just before that message, so no
    // message's bytes ever go ahead of its fds.
    private int SelectFdsForBatch(long start, ref int length)
    {
        int count = 0;
        int groupSize = 0;
        long groupOffset = -1;
        foreach (var (_, messageOffset) in _outputFds)
        {
            if (messageOffset >= start + length) break;
            if (messageOffset != groupOffset)
            {
                count += groupSize;
                groupSize = 0;
                groupOffset = messageOffset;
            }
            if (count + groupSize == UnixSocket.MaxFdsPerMessage)
            {
                length = (int)(groupOffset - start);
                return count;
            }
            groupSize++;
        }
        return count + groupSize;
    }

    public void Dispose()
    {
        Socket.Dispose();
        while (_inputFds.TryDequeue(out var fd)) fd.Dispose();
        while (_outputFds.TryDequeue(out var queued)) queued.Fd.Dispose();
    }

    private void EnsureOutputRoom(int length)
    {
        if (_output.Length - _outputEnd >= length) return;
        int pending = PendingOutput;
        if (_outputStart > 0)
        {
            Buffer.BlockCopy(_output, _outputStart, _output, 0, pending);
            _outputBase += _outputStart;
            _outputStart = 0;
            _outputEnd = pending;
        }
        if (_output.Length - _outputEnd < length)
            Array.Resize(ref _output, Math.Max(_output.Length * 2, pending + length));
    }
}

public enum ReadStatus
{
    Message,
    NeedMoreData,
    Malformed,
}

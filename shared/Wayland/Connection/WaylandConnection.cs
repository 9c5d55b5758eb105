using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Wayland.Connection;

/// <summary>
/// A Wayland stream over a non-blocking Unix socket. Input: bytes and fds are queued separately as
/// they arrive (fds may come with any byte of a message) and paired when a whole message is there,
/// by its signature's fd count (a <see cref="WaylandFramer{TFd}"/> of fds). Output: messages are batched and flushed at most
/// <see cref="MaxBatchBytes"/> bytes and <see cref="UnixSocket.MaxFdsPerMessage"/> fds per sendmsg,
/// as libwayland does, so any libwayland peer can take what we send.
/// </summary>
public sealed class WaylandConnection : IDisposable
{
    public const int DefaultMaxMessageSize = 4096;
    public const int MaxBatchBytes = 4096;

    /// <summary>fds a peer may have in flight ahead of the messages that use them (libwayland keeps 1024).</summary>
    public const int MaxQueuedFds = WaylandFramer<FileDescriptor>.MaxQueuedFds;

    /// <summary>Queued output above which <see cref="IsCongested"/> tells the producer to stop reading its source.</summary>
    public const int DefaultCongestionThreshold = 1 << 20;

    private readonly int _maxMessageSize;
    private readonly int _congestionThreshold;
    private readonly WaylandFramer<FileDescriptor> _input;
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
        _input = new WaylandFramer<FileDescriptor>(maxMessageSize, fdsMayFollowBytes: true);
    }

    public UnixSocket Socket { get; }

    /// <summary>Bytes queued for sending.</summary>
    public int PendingOutput => _outputEnd - _outputStart;

    public bool HasPendingOutput => PendingOutput > 0;

    public bool IsCongested => PendingOutput >= _congestionThreshold;

    /// <summary>Bytes received but not yet returned as messages.</summary>
    public int PendingInput => _input.PendingBytes;

    public int PendingInputFds => _input.PendingFds;

    /// <summary>Bytes of unsent output moved to make room for more, in all (a copy beyond the one into the queue).</summary>
    public long OutputBytesMoved { get; private set; }

    /// <summary>
    /// One non-blocking read from the socket into the input queue. <see cref="IoStatus.Failed"/> with
    /// errno EMFILE-like failures, <see cref="IoStatus.ControlTruncated"/> and an fd flood are errors;
    /// <see cref="IoStatus.EndOfStream"/> is the peer hanging up.
    /// </summary>
    public IoResult Fill()
    {
        var room = _input.GetFreeSpace();
        // Full of bytes that are not a message yet: the first one is waiting for fds that never
        // came. A read into no room would look like the peer hanging up.
        if (room.IsEmpty) return IoResult.Failed(Tmds.Linux.LibC.EMSGSIZE);
        _receivedFds.Clear();
        var result = Socket.Receive(room, _receivedFds);
        foreach (var fd in _receivedFds) _input.EnqueueFd(fd);
        _receivedFds.Clear();
        if (result.Status == IoStatus.Done) _input.Commit(result.Bytes);
        if (_input.PendingFds > MaxQueuedFds) return IoResult.Failed(Tmds.Linux.LibC.EMFILE);
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
        var status = _input.TryRead(resolver, out var framed, out error);
        if (status != ReadStatus.Message) return status;
        var fds = framed.Fds.IsEmpty ? [] : framed.Fds.ToArray();
        message = new WaylandMessage(framed.Header, framed.Signature, framed.Body, fds, framed.Created);
        return ReadStatus.Message;
    }

    /// <summary>
    /// Queues one encoded message and takes ownership of its fds (closed once sent or when the
    /// connection is disposed). Nothing is written to the socket until <see cref="Flush"/>.
    /// </summary>
    public void Enqueue(ReadOnlySpan<byte> message, ReadOnlySpan<FileDescriptor> fds = default)
    {
        if (!IsSendable(message.Length, fds)) throw NotSendable(fds);
        message.CopyTo(GetOutputSpan(message.Length));
        CommitOutput(message.Length, fds);
    }

    /// <summary>
    /// Room for one message of at most <paramref name="maxLength"/> bytes at the end of the output
    /// queue, so it can be written there in place instead of being copied in;
    /// <see cref="CommitOutput"/> then queues what was written. Valid until the next call that queues.
    /// </summary>
    public Span<byte> GetOutputSpan(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, _maxMessageSize);
        EnsureOutputRoom(maxLength);
        return _output.AsSpan(_outputEnd, maxLength);
    }

    /// <summary>
    /// Queues the message of <paramref name="length"/> bytes just written at the start of
    /// <see cref="GetOutputSpan"/>, and takes ownership of its fds, as <see cref="Enqueue"/> does.
    /// </summary>
    public void CommitOutput(int length, ReadOnlySpan<FileDescriptor> fds = default)
    {
        if (!IsSendable(length, fds) || length > _output.Length - _outputEnd) throw NotSendable(fds);
        long offset = _outputBase + _outputEnd;
        _outputEnd += length;
        foreach (var fd in fds) _outputFds.Enqueue((fd, offset));
    }

    private bool IsSendable(int length, ReadOnlySpan<FileDescriptor> fds) =>
        fds.Length <= UnixSocket.MaxFdsPerMessage && length <= _maxMessageSize && (length & 3) == 0;

    private ArgumentException NotSendable(ReadOnlySpan<FileDescriptor> fds)
    {
        foreach (var fd in fds) fd.Dispose();
        return new ArgumentException($"A message is at most {_maxMessageSize} bytes, a multiple of 4, with at most {UnixSocket.MaxFdsPerMessage} fds.", "message");
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
        while (_input.TryDequeueFd(out var fd)) fd.Dispose();
        while (_outputFds.TryDequeue(out var queued)) queued.Fd.Dispose();
    }

    private void EnsureOutputRoom(int length)
    {
        if (_output.Length - _outputEnd >= length) return;
        int pending = PendingOutput;
        if (_outputStart > 0)
        {
            Buffer.BlockCopy(_output, _outputStart, _output, 0, pending);
            OutputBytesMoved += pending;
            _outputBase += _outputStart;
            _outputStart = 0;
            _outputEnd = pending;
        }
        if (_output.Length - _outputEnd < length)
        {
            Array.Resize(ref _output, Math.Max(_output.Length * 2, pending + length));
            OutputBytesMoved += pending;
        }
    }
}

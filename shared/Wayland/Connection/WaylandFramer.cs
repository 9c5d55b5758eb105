using System.Runtime.CompilerServices;
using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Wayland.Connection;

/// <summary>Looks up the signature of a message so its fds can be paired with it.</summary>
public delegate MessageSignature? MessageResolver(uint objectId, ushort opcode, out WireError error);

/// <summary>
/// Cuts a Wayland byte stream into whole messages and pairs each with as many of the queued fds as
/// its signature has fd arguments, in order. What stands for an fd is the caller's: a
/// <see cref="FileDescriptor"/> on a socket, a cross-domain identifier in the host's RECEIVEs.
/// Bytes and fds arrive separately (fds may come with any byte of a message, or ahead of it).
/// </summary>
public sealed class WaylandFramer<TFd>
{
    /// <summary>fds one message may carry: what one sendmsg can take (libwayland's limit too).</summary>
    public const int MaxFdsPerMessage = UnixSocket.MaxFdsPerMessage;

    /// <summary>fds a peer may have in flight ahead of the messages that use them (libwayland keeps 1024).</summary>
    public const int MaxQueuedFds = 1024;

    private readonly int _maxMessageSize;
    private readonly bool _fdsMayFollowBytes;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;
    private readonly Queue<TFd> _fds = new();
    private readonly TFd[] _messageFds = new TFd[MaxFdsPerMessage];
    private int _handedOutFds;

    /// <param name="maxMessageSize">The largest message the peer may send.</param>
    /// <param name="fdsMayFollowBytes">
    /// True on a socket, where a peer may send a message's fds with a later write: a message whose
    /// fds have not come is not ready yet. False where the sender always sends them first: then it
    /// is malformed.
    /// </param>
    public WaylandFramer(int maxMessageSize, bool fdsMayFollowBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, MessageHeader.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessageSize, MessageHeader.MaxMessageSize);
        _maxMessageSize = maxMessageSize;
        _fdsMayFollowBytes = fdsMayFollowBytes;
        // Twice the largest message, so one partial message plus a full read always fit.
        _buffer = new byte[Math.Max(2 * maxMessageSize, 8192)];
    }

    /// <summary>Bytes received but not yet returned as messages.</summary>
    public int PendingBytes => _end - _start;

    public int PendingFds => _fds.Count;

    /// <summary>
    /// Bytes of unfinished messages moved to the front of the buffer to make room, in all: the one
    /// copy the framer makes of what it was given, and only of a message cut by a read.
    /// </summary>
    public long BytesMoved { get; private set; }

    /// <summary>
    /// Room after the pending bytes for the next read, at least <paramref name="wanted"/> bytes when
    /// the buffer can hold that many more; write into it, then <see cref="Commit"/>. Empty when the
    /// buffer is full of bytes that are not a message yet.
    /// </summary>
    public Span<byte> GetFreeSpace(int wanted = 1)
    {
        if (_start == _end) _start = _end = 0;
        if (_buffer.Length - _end < wanted && _start > 0)
        {
            int pending = PendingBytes;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            BytesMoved += pending;
            _start = 0;
            _end = pending;
        }
        return _buffer.AsSpan(_end);
    }

    /// <summary>Appends the <paramref name="count"/> bytes just written at the start of <see cref="GetFreeSpace"/>.</summary>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _end);
        _end += count;
    }

    public void EnqueueFd(TFd fd) => _fds.Enqueue(fd);

    /// <summary>Takes back an fd no message has claimed, so the owner can release it.</summary>
    public bool TryDequeueFd(out TFd fd) => _fds.TryDequeue(out fd!);

    /// <summary>
    /// Appends bytes and the fds that came with them; false, with nothing appended, when that would
    /// overflow what a well-formed stream needs (more than a message's worth of bytes that are not
    /// a message yet, or more than <see cref="MaxQueuedFds"/> fds waiting).
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes, ReadOnlySpan<TFd> fds)
    {
        if (_fds.Count + fds.Length > MaxQueuedFds) return false;
        var room = GetFreeSpace(bytes.Length);
        if (room.Length < bytes.Length) return false;
        bytes.CopyTo(room);
        Commit(bytes.Length);
        foreach (var fd in fds) _fds.Enqueue(fd);
        return true;
    }

    /// <summary>
    /// Takes the next whole message out of the stream: its header, signature, body and fds (both
    /// valid until the next call; the fds are the caller's from now on).
    /// <see cref="ReadStatus.NeedMoreData"/> when its bytes, or fds that may still follow, have not
    /// all come. On <see cref="ReadStatus.Malformed"/> the stream is unusable: the peer broke the protocol.
    /// </summary>
    public ReadStatus TryRead(MessageResolver resolver, out FramedMessage<TFd> message, out WireError error)
    {
        message = default;
        // The previous message's fds are the caller's now: the buffer must not keep them alive.
        if (RuntimeHelpers.IsReferenceOrContainsReferences<TFd>()) Array.Clear(_messageFds, 0, _handedOutFds);
        _handedOutFds = 0;

        var pending = _buffer.AsSpan(_start, PendingBytes);
        if (!MessageHeader.TryRead(pending, _maxMessageSize, out var header, out error))
            return error == WireError.None ? ReadStatus.NeedMoreData : ReadStatus.Malformed;
        if (pending.Length < header.Size) return ReadStatus.NeedMoreData;

        var signature = resolver(header.ObjectId, header.Opcode, out error);
        if (signature is null)
        {
            if (error == WireError.None) error = WireError.UnknownObject;
            return ReadStatus.Malformed;
        }
        if (signature.FdCount > MaxFdsPerMessage)
        {
            error = WireError.FdMissing;
            return ReadStatus.Malformed;
        }

        var body = _buffer.AsMemory(_start + MessageHeader.Length, header.BodyLength);
        error = MessageValidator.Validate(signature, body.Span, _fds.Count, out var created);
        // Missing fds right after the bytes is not yet an error where they may come with a later
        // write. If they never come, the buffer fills up and the next read finds no room.
        if (error == WireError.FdMissing && _fdsMayFollowBytes) return ReadStatus.NeedMoreData;
        if (error != WireError.None) return ReadStatus.Malformed;

        for (int i = 0; i < signature.FdCount; i++) _messageFds[i] = _fds.Dequeue();
        _handedOutFds = signature.FdCount;
        message = new FramedMessage<TFd>(header, signature, body, _messageFds.AsMemory(0, signature.FdCount), created);
        _start += header.Size;
        return ReadStatus.Message;
    }
}

/// <summary>One whole message out of a <see cref="WaylandFramer{TFd}"/>, with what stands for its fds.</summary>
public readonly record struct FramedMessage<TFd>(
    MessageHeader Header, MessageSignature Signature, ReadOnlyMemory<byte> Body, ReadOnlyMemory<TFd> Fds, NewObject Created);

public enum ReadStatus
{
    Message,
    NeedMoreData,
    Malformed,
}

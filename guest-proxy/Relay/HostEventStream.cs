using CrossDomain.GuestProxy.Channel;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// The compositor's events as RECEIVEs deliver them: a byte stream cut wherever the host's read
/// ended, and the identifiers of the fds that came with it. Messages are taken out whole, each
/// with as many identifiers as its signature has fd arguments, in order.
/// </summary>
internal sealed class HostEventStream
{
    private readonly byte[] _buffer = new byte[2 * MessageHeader.MaxMessageSize];
    private readonly Queue<ChannelIdentifier> _identifiers = new();
    private readonly ChannelIdentifier[] _messageIdentifiers = new ChannelIdentifier[MaxFdsPerMessage];
    private int _start;
    private int _end;

    /// <summary>fd arguments one message may have; more is a malformed stream.</summary>
    public const int MaxFdsPerMessage = 4;

    /// <summary>Identifiers queued ahead of the messages that use them; more means a broken host.</summary>
    public const int MaxQueuedIdentifiers = 1024;

    public int PendingBytes => _end - _start;

    /// <summary>Appends one RECEIVE; false when it would overflow what a well-formed stream needs.</summary>
    public bool Append(ReadOnlySpan<byte> data, ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        if (_identifiers.Count + identifiers.Length > MaxQueuedIdentifiers) return false;
        if (_end + data.Length > _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, PendingBytes);
            _end -= _start;
            _start = 0;
            if (_end + data.Length > _buffer.Length) return false;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        foreach (var identifier in identifiers) _identifiers.Enqueue(identifier);
        return true;
    }

    /// <summary>
    /// The next whole message: its header, signature, body (valid until the next call) and the
    /// identifiers standing for its fds. <see cref="ReadStatus.NeedMoreData"/> when it has not all come.
    /// </summary>
    public ReadStatus TryRead(MessageResolver resolver, out HostEvent message, out WireError error)
    {
        message = default;
        var pending = _buffer.AsSpan(_start, PendingBytes);
        if (!MessageHeader.TryRead(pending, MessageHeader.MaxMessageSize, out var header, out error))
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
        error = MessageValidator.Validate(signature, body.Span, _identifiers.Count, out var created);
        // The host sends a message's identifiers with or before its bytes, so missing ones are an error.
        if (error != WireError.None) return ReadStatus.Malformed;
        for (int i = 0; i < signature.FdCount; i++) _messageIdentifiers[i] = _identifiers.Dequeue();
        message = new HostEvent(header, signature, body, _messageIdentifiers.AsMemory(0, signature.FdCount), created);
        _start += header.Size;
        if (_start == _end) _start = _end = 0;
        return ReadStatus.Message;
    }
}

/// <summary>One event from the compositor, with the identifiers that stand for its fds.</summary>
internal readonly record struct HostEvent(
    MessageHeader Header, MessageSignature Signature, ReadOnlyMemory<byte> Body, ReadOnlyMemory<ChannelIdentifier> Identifiers, NewObject Created);

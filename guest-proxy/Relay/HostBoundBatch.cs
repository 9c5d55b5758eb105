using CrossDomain.GuestProxy.Channel;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.GuestProxy.Relay;

/// <summary>
/// Compositor-bound requests gathered into as few SENDs as possible: at most
/// <see cref="CrossDomainLimits.MaxSendReceivePayload"/> bytes and 28 identifiers each. A request
/// larger than one SEND is split (the host writes a byte stream), but its identifiers always go in
/// the SEND that carries its first byte: libwayland wants a message's fds with or before it.
/// </summary>
internal sealed class HostBoundBatch(CrossDomainChannel channel)
{
    private readonly byte[] _bytes = new byte[CrossDomainLimits.MaxSendReceivePayload];
    private readonly ChannelIdentifier[] _identifiers = new ChannelIdentifier[CrossDomainLimits.MaxIdentifiers];
    private int _length;
    private int _identifierCount;

    public void Add(ReadOnlySpan<byte> message, ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        if (_identifierCount + identifiers.Length > _identifiers.Length || _length == _bytes.Length) Flush();
        identifiers.CopyTo(_identifiers.AsSpan(_identifierCount));
        _identifierCount += identifiers.Length;
        while (!message.IsEmpty)
        {
            if (_length == _bytes.Length) Flush();
            int chunk = Math.Min(message.Length, _bytes.Length - _length);
            message[..chunk].CopyTo(_bytes.AsSpan(_length));
            _length += chunk;
            message = message[chunk..];
        }
    }

    public void Flush()
    {
        if (_length == 0 && _identifierCount == 0) return;
        channel.Send(_bytes.AsSpan(0, _length), _identifiers.AsSpan(0, _identifierCount));
        _length = 0;
        _identifierCount = 0;
    }
}

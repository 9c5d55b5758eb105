using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>An identifier as SEND and RECEIVE carry it: a resource or item id, its kind, and (RECEIVE) its size.</summary>
public readonly record struct ChannelIdentifier(uint Id, IdentifierType Type, uint Size = 0);

/// <summary>
/// One host-to-guest message from the channel ring: RECEIVE (compositor bytes and identifiers) or
/// READ (pipe data). Its buffers are reused by the next receive.
/// </summary>
public sealed class ChannelEvent
{
    private readonly byte[] _data = new byte[CrossDomainLimits.DefaultRingSize];
    private readonly ChannelIdentifier[] _identifiers = new ChannelIdentifier[CrossDomainLimits.MaxIdentifiers];
    private int _dataLength;
    private int _identifierCount;

    public CrossDomainCommand Command { get; private set; }

    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    /// <summary>RECEIVE only.</summary>
    public ReadOnlySpan<ChannelIdentifier> Identifiers => _identifiers.AsSpan(0, _identifierCount);

    /// <summary>READ only.</summary>
    public uint PipeId { get; private set; }

    /// <summary>READ only: the host's end of the pipe is closed after this data.</summary>
    public bool HangUp { get; private set; }

    /// <summary>A RECEIVE with no bytes and no identifiers: the compositor closed the connection.</summary>
    public bool IsEndOfStream => Command == CrossDomainCommand.Receive && _dataLength == 0 && _identifierCount == 0;

    internal Span<byte> DataBuffer(int length)
    {
        _dataLength = length;
        return _data.AsSpan(0, length);
    }

    internal void SetReceive(ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        Command = CrossDomainCommand.Receive;
        identifiers.CopyTo(_identifiers);
        _identifierCount = identifiers.Length;
        PipeId = 0;
        HangUp = false;
    }

    internal void SetRead(uint pipeId, bool hangUp)
    {
        Command = CrossDomainCommand.Read;
        _identifierCount = 0;
        PipeId = pipeId;
        HangUp = hangUp;
    }
}

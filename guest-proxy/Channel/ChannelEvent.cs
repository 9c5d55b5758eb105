using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>An identifier as SEND and RECEIVE carry it: a resource or item id, its kind, and (RECEIVE) its size.</summary>
public readonly record struct ChannelIdentifier(uint Id, IdentifierType Type, uint Size = 0);

/// <summary>
/// One host-to-guest message as it lies in the channel ring: RECEIVE (compositor bytes and
/// identifiers) or READ (pipe data). <see cref="Data"/> is the ring's own memory, read in place:
/// the caller copies what it keeps from it, once, straight to where it goes, and then hands the
/// ring back with <see cref="CrossDomainChannel.Release"/>, after which the host may overwrite it.
/// </summary>
public readonly ref struct ChannelEvent
{
    internal ChannelEvent(CrossDomainCommand command, ReadOnlySpan<byte> data, ReadOnlySpan<ChannelIdentifier> identifiers, uint pipeId, bool hangUp)
    {
        Command = command;
        Data = data;
        Identifiers = identifiers;
        PipeId = pipeId;
        HangUp = hangUp;
    }

    public CrossDomainCommand Command { get; }

    public ReadOnlySpan<byte> Data { get; }

    /// <summary>RECEIVE only.</summary>
    public ReadOnlySpan<ChannelIdentifier> Identifiers { get; }

    /// <summary>READ only.</summary>
    public uint PipeId { get; }

    /// <summary>READ only: the host's end of the pipe is closed after this data.</summary>
    public bool HangUp { get; }

    /// <summary>A RECEIVE with no bytes and no identifiers: the compositor closed the connection.</summary>
    public bool IsEndOfStream => Command == CrossDomainCommand.Receive && Data.IsEmpty && Identifiers.IsEmpty;
}

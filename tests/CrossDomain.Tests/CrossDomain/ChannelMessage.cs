using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>An identifier of a RECEIVE: what the host named for the guest.</summary>
internal readonly record struct ReceivedIdentifier(uint Id, IdentifierType Type, uint Size);

/// <summary>
/// One host-to-guest message read from the channel ring (PROTOCOL.md B.5): a RECEIVE (Wayland
/// bytes and identifiers) or a READ (pipe data). Reading it checks the header rule of B.2: the
/// host sets only <c>cmd</c>.
/// </summary>
internal sealed class ChannelMessage
{
    private ChannelMessage(CrossDomainCommand command, byte[] data, ReceivedIdentifier[] identifiers, uint pipeId, bool hangUp)
    {
        Command = command;
        Data = data;
        Identifiers = identifiers;
        PipeId = pipeId;
        HangUp = hangUp;
    }

    public CrossDomainCommand Command { get; }

    public byte[] Data { get; }

    /// <summary>RECEIVE only.</summary>
    public ReceivedIdentifier[] Identifiers { get; }

    /// <summary>READ only.</summary>
    public uint PipeId { get; }

    /// <summary>READ only.</summary>
    public bool HangUp { get; }

    public static ChannelMessage Parse(ReadOnlySpan<byte> ring)
    {
        var header = MemoryMarshal.Read<CrossDomainHeader>(ring);
        Assert.Equal(0, header.RingIndex);
        Assert.Equal(0, header.CommandSize);
        Assert.Equal(0u, header.Padding);
        switch (header.Command)
        {
            case CrossDomainCommand.Receive:
                var receive = MemoryMarshal.Read<CrossDomainSendReceive>(ring);
                Assert.InRange(receive.IdentifierCount, 0u, (uint)CrossDomainLimits.MaxIdentifiers);
                Assert.InRange(receive.OpaqueDataSize, 0u, (uint)CrossDomainLimits.MaxSendReceivePayload);
                var identifiers = new ReceivedIdentifier[receive.IdentifierCount];
                for (int i = 0; i < identifiers.Length; i++)
                    identifiers[i] = new ReceivedIdentifier(receive.Identifiers[i], (IdentifierType)receive.IdentifierTypes[i], receive.IdentifierSizes[i]);
                var data = ring.Slice(CrossDomainSendReceive.Size, (int)receive.OpaqueDataSize).ToArray();
                return new ChannelMessage(CrossDomainCommand.Receive, data, identifiers, 0, false);
            case CrossDomainCommand.Read:
                var read = MemoryMarshal.Read<CrossDomainReadWrite>(ring);
                Assert.InRange(read.OpaqueDataSize, 0u, (uint)CrossDomainLimits.MaxReadWritePayload);
                Assert.Equal(0u, read.Padding);
                var pipeData = ring.Slice(CrossDomainReadWrite.Size, (int)read.OpaqueDataSize).ToArray();
                return new ChannelMessage(CrossDomainCommand.Read, pipeData, [], read.Identifier, read.HangUp != 0);
            default:
                Assert.Fail($"the channel ring holds command {header.Command}, neither RECEIVE nor READ");
                return null!;
        }
    }

    /// <summary>The same message as the proxy's channel hands it out (the socket transport).</summary>
    public static ChannelMessage From(GuestProxy.Channel.ChannelEvent received) => new(
        received.Command,
        received.Data.ToArray(),
        received.Identifiers.ToArray().Select(identifier => new ReceivedIdentifier(identifier.Id, identifier.Type, identifier.Size)).ToArray(),
        received.PipeId,
        received.HangUp);

    public override string ToString() => Command == CrossDomainCommand.Receive
        ? $"RECEIVE {Data.Length} bytes, {Identifiers.Length} identifiers"
        : $"READ pipe {PipeId:x}, {Data.Length} bytes{(HangUp ? ", hang-up" : "")}";
}

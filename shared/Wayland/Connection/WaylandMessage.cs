using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Wayland.Connection;

/// <summary>
/// One received message. <see cref="Body"/> points into the connection's input buffer and is valid
/// until the next read; <see cref="Fds"/> belong to the receiver, who must dispose or pass them on.
/// </summary>
public readonly record struct WaylandMessage(MessageHeader Header, MessageSignature Signature, ReadOnlyMemory<byte> Body, FileDescriptor[] Fds, NewObject Created)
{
    public uint ObjectId => Header.ObjectId;

    public ushort Opcode => Header.Opcode;

    public WireReader CreateReader() => new(Body.Span, Fds);
}

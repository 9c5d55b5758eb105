using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Proxy;

/// <summary>The compositor's events as RECEIVEs cut them: whole messages out, each with its fds' identifiers.</summary>
public sealed class HostEventStreamTests
{
    private readonly WaylandObjectMap _objects = new();

    public HostEventStreamTests()
    {
        _objects.TryAdd(2, WlRegistry.Interface, 1);
        _objects.TryAdd(3, WlKeyboard.Interface, 7);
    }

    [Fact]
    public void A_message_cut_between_two_receives_comes_out_whole_once_its_rest_arrives()
    {
        var stream = new HostEventStream();
        byte[] global = Encode((ref WireWriter writer) => WlRegistry.GlobalEvent.Encode(ref writer, 2, 7, "wl_compositor", 5));
        Assert.True(stream.Append(global.AsSpan(0, 13), []));
        Assert.Equal(ReadStatus.NeedMoreData, stream.TryRead(Resolve, out _, out _));
        Assert.True(stream.Append(global.AsSpan(13), []));
        Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out var message, out _));
        Assert.Equal(WlRegistry.Events.Global, message.Header.Opcode);
        Assert.Equal(0, stream.PendingBytes);
    }

    [Fact]
    public void Identifiers_pair_with_the_fd_arguments_in_order()
    {
        var stream = new HostEventStream();
        byte[] keymap = Encode((ref WireWriter writer) =>
        {
            writer.Begin(3, WlKeyboard.Events.Keymap);
            writer.WriteUint(1);
            writer.WriteUint(4096);
            writer.End();
        });
        Assert.True(stream.Append(keymap, [new ChannelIdentifier(9, IdentifierType.VirtgpuBlob, 4096)]));
        Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out var message, out _));
        Assert.Equal(new ChannelIdentifier(9, IdentifierType.VirtgpuBlob, 4096), Assert.Single(message.Identifiers.ToArray()));
    }

    [Fact]
    public void A_message_without_its_identifiers_or_on_an_unknown_object_is_malformed()
    {
        var withoutFd = new HostEventStream();
        Assert.True(withoutFd.Append(Encode((ref WireWriter writer) =>
        {
            writer.Begin(3, WlKeyboard.Events.Keymap);
            writer.WriteUint(1);
            writer.WriteUint(4096);
            writer.End();
        }), []));
        Assert.Equal(ReadStatus.Malformed, withoutFd.TryRead(Resolve, out _, out var missing));
        Assert.Equal(WireError.FdMissing, missing);

        var unknown = new HostEventStream();
        Assert.True(unknown.Append(Encode((ref WireWriter writer) => WlRegistry.GlobalRemoveEvent.Encode(ref writer, 99, 1)), []));
        Assert.Equal(ReadStatus.Malformed, unknown.TryRead(Resolve, out _, out _));
    }

    [Fact]
    public void More_than_a_stream_can_hold_is_refused()
    {
        var stream = new HostEventStream();
        Assert.False(stream.Append(new byte[3 * MessageHeader.MaxMessageSize], []));
        Assert.False(stream.Append([], new ChannelIdentifier[HostEventStream.MaxQueuedIdentifiers + 1]));
    }

    private delegate void Writes(ref WireWriter writer);

    private static byte[] Encode(Writes write)
    {
        var writer = new WireWriter(new byte[512]);
        write(ref writer);
        return writer.Written.ToArray();
    }

    private MessageSignature? Resolve(uint objectId, ushort opcode, out WireError error) =>
        _objects.Resolve(objectId, opcode, MessageDirection.Events, out error);
}

using CrossDomain.GuestProxy.Channel;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Wayland;

/// <summary>
/// One framer for both directions: here as the proxy frames the compositor's events from RECEIVEs
/// (identifiers for fds, sent with or before their message), and as a socket frames a client's
/// requests (fds that may follow the bytes). Whole messages out, each with its fds in order.
/// </summary>
public sealed class WaylandFramerTests
{
    private readonly WaylandObjectMap _objects = new();

    public WaylandFramerTests()
    {
        _objects.TryAdd(2, WlRegistry.Interface, 1);
        _objects.TryAdd(3, WlKeyboard.Interface, 7);
    }

    [Fact]
    public void A_message_cut_between_two_receives_comes_out_whole_once_its_rest_arrives()
    {
        var stream = HostEvents();
        byte[] global = Encode((ref WireWriter writer) => WlRegistry.GlobalEvent.Encode(ref writer, 2, 7, "wl_compositor", 5));
        Assert.True(stream.TryAppend(global.AsSpan(0, 13), []));
        Assert.Equal(ReadStatus.NeedMoreData, stream.TryRead(Resolve, out _, out _));
        Assert.True(stream.TryAppend(global.AsSpan(13), []));
        Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out var message, out _));
        Assert.Equal(WlRegistry.Events.Global, message.Header.Opcode);
        Assert.Equal(0, stream.PendingBytes);
    }

    [Fact]
    public void Identifiers_pair_with_the_fd_arguments_in_order()
    {
        var stream = HostEvents();
        Assert.True(stream.TryAppend(Keymap(), [new ChannelIdentifier(9, IdentifierType.VirtgpuBlob, 4096)]));
        Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out var message, out _));
        Assert.Equal(new ChannelIdentifier(9, IdentifierType.VirtgpuBlob, 4096), Assert.Single(message.Fds.ToArray()));
    }

    [Fact]
    public void A_message_without_its_identifiers_or_on_an_unknown_object_is_malformed()
    {
        var withoutFd = HostEvents();
        Assert.True(withoutFd.TryAppend(Keymap(), []));
        Assert.Equal(ReadStatus.Malformed, withoutFd.TryRead(Resolve, out _, out var missing));
        Assert.Equal(WireError.FdMissing, missing);

        var unknown = HostEvents();
        Assert.True(unknown.TryAppend(Encode((ref WireWriter writer) => WlRegistry.GlobalRemoveEvent.Encode(ref writer, 99, 1)), []));
        Assert.Equal(ReadStatus.Malformed, unknown.TryRead(Resolve, out _, out _));
    }

    [Fact]
    public void On_a_socket_a_message_waits_for_fds_that_come_after_its_bytes()
    {
        var socket = new WaylandFramer<int>(WaylandConnection.DefaultMaxMessageSize, fdsMayFollowBytes: true);
        Assert.True(socket.TryAppend(Keymap(), []));
        Assert.Equal(ReadStatus.NeedMoreData, socket.TryRead(Resolve, out _, out _));
        socket.EnqueueFd(42);
        Assert.Equal(ReadStatus.Message, socket.TryRead(Resolve, out var message, out _));
        Assert.Equal(42, Assert.Single(message.Fds.ToArray()));
        Assert.Equal(0, socket.PendingFds);
    }

    [Fact]
    public void A_message_larger_than_the_peer_may_send_is_malformed()
    {
        var stream = HostEvents();
        byte[] header = new byte[MessageHeader.Length];
        new MessageHeader(2, WlRegistry.Events.Global, (ushort)(WaylandConnection.DefaultMaxMessageSize + 4)).Write(header);
        Assert.True(stream.TryAppend(header, []));
        Assert.Equal(ReadStatus.Malformed, stream.TryRead(Resolve, out _, out var error));
        Assert.Equal(WireError.MessageTooLarge, error);
    }

    [Fact]
    public void Only_the_unfinished_message_is_moved_to_make_room_and_it_is_counted()
    {
        var stream = HostEvents();
        byte[] global = Encode((ref WireWriter writer) => WlRegistry.GlobalEvent.Encode(ref writer, 2, 7, "wl_compositor", 5));
        int cut = 10;
        // Whole messages up to near the end of the buffer, then one cut: the next append does not fit behind it.
        int whole = (stream.GetFreeSpace().Length - cut) / global.Length;
        for (int i = 0; i < whole; i++) Assert.True(stream.TryAppend(global, []));
        Assert.True(stream.TryAppend(global.AsSpan(0, cut), []));
        for (int i = 0; i < whole; i++) Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out _, out _));
        Assert.Equal(0, stream.BytesMoved);

        Assert.True(stream.TryAppend(global.AsSpan(cut), []));
        Assert.Equal(cut, stream.BytesMoved);
        Assert.Equal(ReadStatus.Message, stream.TryRead(Resolve, out var message, out _));
        Assert.Equal(global.AsSpan(MessageHeader.Length).ToArray(), message.Body.ToArray());
    }

    [Fact]
    public void More_than_a_stream_can_hold_is_refused()
    {
        var stream = HostEvents();
        Assert.False(stream.TryAppend(new byte[3 * WaylandConnection.DefaultMaxMessageSize], []));
        Assert.False(stream.TryAppend([], new ChannelIdentifier[WaylandFramer<ChannelIdentifier>.MaxQueuedFds + 1]));
        Assert.Equal(0, stream.PendingBytes);
        Assert.Equal(0, stream.PendingFds);
    }

    private static WaylandFramer<ChannelIdentifier> HostEvents() => new(WaylandConnection.DefaultMaxMessageSize, fdsMayFollowBytes: false);

    private static byte[] Keymap() => Encode((ref WireWriter writer) =>
    {
        writer.Begin(3, WlKeyboard.Events.Keymap);
        writer.WriteUint(1);
        writer.WriteUint(4096);
        writer.End();
    });

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

using CrossDomain.Interop;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Generator;

/// <summary>The typed encode/decode that CrossDomain.Wayland was built with.</summary>
public class GeneratedTypedMessageTests
{
    // Stands in for a received fd: nothing here reads or closes it.
    private static readonly FileDescriptor PlaceholderFd = new(0, ownsHandle: false);

    [Fact]
    public void RegistryBind_RoundTrips()
    {
        var buffer = new byte[128];
        var writer = new WireWriter(buffer);

        WlRegistry.BindRequest.Encode(ref writer, objectId: 2, name: 7, @interface: "wl_compositor", version: 4, id: 5);

        var body = Body(writer.Written, expectedObjectId: 2, expectedOpcode: WlRegistry.Requests.Bind);
        Assert.Equal(WireError.None, WlRegistry.BindRequest.TryDecode(body, default, out var bind));
        Assert.Equal(7u, bind.Name);
        Assert.True(bind.Interface.SequenceEqual("wl_compositor"u8));
        Assert.Equal(4u, bind.Version);
        Assert.Equal(5u, bind.Id);

        // The typed code and the signature table must describe the same bytes.
        Assert.Equal(WireError.None, MessageValidator.Validate(WlRegistry.Interface.Requests[WlRegistry.Requests.Bind], body, 0, out var created));
        Assert.Equal(new NewObject(5, "wl_compositor", 4), created);
    }

    [Fact]
    public void ShmCreatePool_RoundTripsWithItsFdOutOfBand()
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);

        WlShm.CreatePoolRequest.Encode(ref writer, objectId: 3, id: 8, size: 4096);

        var body = Body(writer.Written, expectedObjectId: 3, expectedOpcode: WlShm.Requests.CreatePool);
        Assert.Equal(8, body.Length);
        Assert.Equal(WireError.None, WlShm.CreatePoolRequest.TryDecode(body, [PlaceholderFd], out var createPool));
        Assert.Equal(8u, createPool.Id);
        Assert.Same(PlaceholderFd, createPool.Fd);
        Assert.Equal(4096, createPool.Size);
    }

    [Fact]
    public void ShmCreatePool_WithoutItsFd_IsFdMissing()
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        WlShm.CreatePoolRequest.Encode(ref writer, objectId: 3, id: 8, size: 4096);

        var body = Body(writer.Written, expectedObjectId: 3, expectedOpcode: WlShm.Requests.CreatePool);

        Assert.Equal(WireError.FdMissing, WlShm.CreatePoolRequest.TryDecode(body, default, out _));
    }

    [Fact]
    public void DisplayError_RoundTripsItsMessage()
    {
        var buffer = new byte[128];
        var writer = new WireWriter(buffer);

        WlDisplay.ErrorEvent.Encode(ref writer, 1, 12, 3, "invalid format ü");

        var body = Body(writer.Written, expectedObjectId: 1, expectedOpcode: WlDisplay.Events.Error);
        Assert.Equal(WireError.None, WlDisplay.ErrorEvent.TryDecode(body, default, out var error));
        Assert.Equal(12u, error.ObjectId);
        Assert.Equal(3u, error.Code);
        Assert.Equal("invalid format ü", System.Text.Encoding.UTF8.GetString(error.Message));
    }

    [Fact]
    public void SetTitle_AcceptsAnEmptyTitleButNotANullOne()
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        XdgToplevel.SetTitleRequest.Encode(ref writer, objectId: 9, title: "");
        var body = Body(writer.Written, expectedObjectId: 9, expectedOpcode: XdgToplevel.Requests.SetTitle);

        Assert.Equal(WireError.None, XdgToplevel.SetTitleRequest.TryDecode(body, default, out var setTitle));
        Assert.True(setTitle.Title.IsEmpty);
        Assert.Equal(WireError.NullNotAllowed, XdgToplevel.SetTitleRequest.TryDecode(new byte[4], default, out _));
    }

    [Fact]
    public void MalformedBodies_ReportTheirWireErrorWithoutThrowing()
    {
        // sync's callback id followed by a stray word
        Assert.Equal(WireError.TrailingBytes, WlDisplay.SyncRequest.TryDecode(Words(5, 0), default, out _));
        // a null callback where the protocol requires an object
        Assert.Equal(WireError.NullNotAllowed, WlDisplay.SyncRequest.TryDecode(Words(0), default, out _));
        // delete_id with nothing in it
        Assert.Equal(WireError.ArgumentOverrun, WlDisplay.DeleteIdEvent.TryDecode([], default, out _));
        // error whose string claims 100 bytes of a 16-byte body
        Assert.Equal(WireError.ArgumentOverrun, WlDisplay.ErrorEvent.TryDecode(Words(1, 2, 100, 0), default, out _));
        // a 4-byte string "abcd" with no NUL at its end
        Assert.Equal(WireError.StringNotTerminated, XdgToplevel.SetTitleRequest.TryDecode([4, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', (byte)'d'], default, out _));
        // a string with a NUL inside it
        Assert.Equal(WireError.StringEmbeddedNul, XdgToplevel.SetTitleRequest.TryDecode([4, 0, 0, 0, (byte)'a', 0, (byte)'c', 0], default, out _));
        // keymap's fd is missing, and its size word is cut short
        Assert.Equal(WireError.FdMissing, WlKeyboard.KeymapEvent.TryDecode(Words(1, 4096), default, out _));
        Assert.Equal(WireError.ArgumentOverrun, WlKeyboard.KeymapEvent.TryDecode(Words(1), [PlaceholderFd], out _));
    }

    private static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> message, uint expectedObjectId, ushort expectedOpcode)
    {
        Assert.True(MessageHeader.TryRead(message, MessageHeader.MaxMessageSize, out var header, out var error), error.ToString());
        Assert.Equal(expectedObjectId, header.ObjectId);
        Assert.Equal(expectedOpcode, header.Opcode);
        Assert.Equal(message.Length, header.Size);
        return message[MessageHeader.Length..];
    }

    private static byte[] Words(params uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        return bytes;
    }
}

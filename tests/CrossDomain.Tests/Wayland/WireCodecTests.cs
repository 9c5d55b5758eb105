using System.Buffers.Binary;
using CrossDomain.Interop;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Wayland;

public sealed class WireCodecTests
{
    [Fact]
    public void Every_argument_type_round_trips()
    {
        var buffer = new byte[256];
        var writer = new WireWriter(buffer);
        writer.Begin(objectId: 7, opcode: 0);
        writer.WriteInt(-5);
        writer.WriteUint(0xFFFF_FFFE);
        writer.WriteFixed(WaylandFixed.FromDouble(-1.5));
        writer.WriteString("héllo");
        writer.WriteString((string?)null);
        writer.WriteObject(9);
        writer.WriteObject(0);
        writer.WriteNewId(10);
        writer.WriteArray([1, 2, 3, 4, 5]);
        int size = writer.End();

        Assert.Equal(writer.Length, size);
        Assert.True(MessageHeader.TryRead(buffer, 4096, out var header, out _));
        Assert.Equal(new MessageHeader(7, 0, (ushort)size), header);

        using var fd = MemFd.Create("fd-argument", 1);
        Assert.Equal(WireError.None, MessageValidator.Validate(TestSignatures.EveryType, buffer.AsSpan(8, size - 8), 1, out var created));
        Assert.Equal(new NewObject(10, "thing", 0), created);

        var reader = new WireReader(buffer.AsSpan(8, size - 8), [fd]);
        Assert.True(reader.TryReadInt(out int i) && i == -5);
        Assert.True(reader.TryReadUint(out uint u) && u == 0xFFFF_FFFE);
        Assert.True(reader.TryReadFixed(out var f) && f.ToDouble() == -1.5 && f.Raw == -384);
        Assert.True(reader.TryReadString(false, out string? s) && s == "héllo");
        Assert.True(reader.TryReadString(true, out string? ns) && ns is null);
        Assert.True(reader.TryReadObject(false, out uint o) && o == 9);
        Assert.True(reader.TryReadObject(true, out uint no) && no == 0);
        Assert.True(reader.TryReadObject(false, out uint n) && n == 10);
        Assert.True(reader.TryReadArray(out var array) && array.SequenceEqual(new byte[] { 1, 2, 3, 4, 5 }));
        Assert.True(reader.TryReadFd(out var receivedFd) && ReferenceEquals(fd, receivedFd));
        Assert.True(reader.TryFinish());
    }

    [Fact]
    public void The_untyped_new_id_of_bind_is_interface_version_id()
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        writer.Begin(2, 1);
        writer.WriteUint(12);
        writer.WriteUntypedNewId("wl_compositor", 4, 3);
        int size = writer.End();
        Assert.Equal(WireError.None, MessageValidator.Validate(TestSignatures.UntypedBind, buffer.AsSpan(8, size - 8), 0, out var created));
        Assert.Equal(new NewObject(3, "wl_compositor", 4), created);
        // name, then "wl_compositor\0" (14 bytes, length word + 16 padded), version, id.
        Assert.Equal(8 + 4 + 4 + 16 + 4 + 4, size);
    }

    [Theory]
    [InlineData("", 8)]       // length word + NUL padded to 4
    [InlineData("abc", 8)]    // "abc\0" fits exactly
    [InlineData("abcd", 12)]  // "abcd\0" needs 3 bytes of padding
    public void Strings_carry_their_nul_and_pad_to_four_bytes_with_zeros(string value, int encodedLength)
    {
        var buffer = Enumerable.Repeat((byte)0xCC, 64).ToArray();
        var writer = new WireWriter(buffer);
        writer.Begin(1, 0);
        writer.WriteString(value);
        Assert.Equal(8 + encodedLength, writer.End());
        Assert.Equal((uint)value.Length + 1, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(8)));
        Assert.All(buffer[(12 + value.Length)..(8 + encodedLength)], b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 8)]
    [InlineData(4, 8)]
    [InlineData(5, 12)]
    public void Arrays_pad_to_four_bytes(int length, int encodedLength)
    {
        var buffer = new byte[64];
        var writer = new WireWriter(buffer);
        writer.Begin(1, 0);
        writer.WriteArray(new byte[length]);
        Assert.Equal(8 + encodedLength, writer.End());
        var reader = new WireReader(buffer.AsSpan(8, encodedLength));
        Assert.True(reader.TryReadArray(out var contents));
        Assert.Equal(length, contents.Length);
        Assert.True(reader.TryFinish());
    }

    [Fact]
    public void Fixed_point_is_24_8()
    {
        Assert.Equal(256, WaylandFixed.FromInt(1).Raw);
        Assert.Equal(-256, WaylandFixed.FromDouble(-1).Raw);
        Assert.Equal(0.5, new WaylandFixed(128).ToDouble());
    }

    [Theory]
    [InlineData(0u, WireError.MessageTooShort)]
    [InlineData(4u, WireError.MessageTooShort)]
    [InlineData(10u, WireError.MessageSizeUnaligned)]
    [InlineData(4100u, WireError.MessageTooLarge)]
    public void Bad_header_sizes_are_typed_errors(uint size, WireError expected)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), size << 16);
        Assert.False(MessageHeader.TryRead(header, 4096, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_partial_header_is_not_an_error()
    {
        Assert.False(MessageHeader.TryRead(new byte[7], 4096, out _, out var error));
        Assert.Equal(WireError.None, error);
    }

    public static TheoryData<string, byte[], WireError> MalformedBodies => new()
    {
        { "string without NUL", [4, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', (byte)'d'], WireError.StringNotTerminated },
        { "string length past the end", [9, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c', 0], WireError.ArgumentOverrun },
        { "string with an embedded NUL", [4, 0, 0, 0, (byte)'a', 0, (byte)'c', 0], WireError.StringEmbeddedNul },
        { "null string where not nullable", [0, 0, 0, 0], WireError.NullNotAllowed },
        { "string truncated in its length word", [4, 0], WireError.ArgumentOverrun },
        { "string with bytes after it", [2, 0, 0, 0, (byte)'a', 0, 0, 0, 1, 2, 3, 4], WireError.TrailingBytes },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_strings_are_typed_errors(string why, byte[] body, WireError expected)
    {
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Equal(expected, MessageValidator.Validate(TestSignatures.Text, body, 0, out _));
    }

    [Fact]
    public void An_array_that_overruns_the_message_is_a_typed_error()
    {
        byte[] body = [12, 0, 0, 0, 1, 2, 3, 4];
        Assert.Equal(WireError.ArrayOverrun, MessageValidator.Validate(TestSignatures.Blob, body, 0, out _));
        byte[] hugeLength = [0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal(WireError.ArrayOverrun, MessageValidator.Validate(TestSignatures.Blob, hugeLength, 0, out _));
    }

    [Fact]
    public void A_message_whose_fd_did_not_arrive_is_a_typed_error()
    {
        byte[] body = [16, 0, 0, 0];
        Assert.Equal(WireError.FdMissing, MessageValidator.Validate(TestSignatures.OneFd, body, 0, out _));
        Assert.Equal(WireError.None, MessageValidator.Validate(TestSignatures.OneFd, body, 1, out _));
        var reader = new WireReader(body);
        Assert.False(reader.TryReadFd(out _));
        Assert.Equal(WireError.FdMissing, reader.Error);
    }

    [Fact]
    public void A_null_new_id_is_a_typed_error()
    {
        Assert.Equal(WireError.NullNotAllowed, MessageValidator.Validate(TestSignatures.Create, [0, 0, 0, 0], 0, out _));
    }

    [Fact]
    public void After_the_first_error_every_read_fails()
    {
        var reader = new WireReader([1, 2]);
        Assert.False(reader.TryReadUint(out _));
        Assert.False(reader.TryReadArray(out _));
        Assert.False(reader.TryFinish());
        Assert.Equal(WireError.ArgumentOverrun, reader.Error);
    }

    [Fact]
    public void The_writer_refuses_to_overflow_its_buffer()
    {
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new WireWriter(new byte[12]);
            writer.Begin(1, 0);
            writer.WriteString("too long for twelve bytes");
        });
    }
}

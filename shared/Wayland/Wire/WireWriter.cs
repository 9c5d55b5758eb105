using System.Buffers.Binary;
using System.Text;

namespace CrossDomain.Wayland.Wire;

/// <summary>
/// Encodes messages into a caller-provided buffer: <see cref="Begin"/>, the arguments in order,
/// then <see cref="End"/>, which patches the size into the header. Running out of room is a bug in
/// the caller (it sized the buffer), so it throws rather than returning an error.
/// </summary>
public ref struct WireWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _messageStart;
    private uint _objectId;
    private ushort _opcode;

    public WireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _messageStart = -1;
    }

    /// <summary>Bytes written so far, complete messages only once <see cref="End"/> ran.</summary>
    public readonly int Length => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void Begin(uint objectId, ushort opcode)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("A message is already open.");
        Reserve(MessageHeader.Length);
        _messageStart = _position;
        _objectId = objectId;
        _opcode = opcode;
        _position += MessageHeader.Length;
    }

    /// <summary>Closes the open message and returns its size in bytes.</summary>
    public int End()
    {
        if (_messageStart < 0) throw new InvalidOperationException("No message is open.");
        int size = _position - _messageStart;
        if (size > MessageHeader.MaxMessageSize) throw new InvalidOperationException($"A message of {size} bytes is over the wire's limit.");
        new MessageHeader(_objectId, _opcode, (ushort)size).Write(_buffer[_messageStart..]);
        _messageStart = -1;
        return size;
    }

    public void WriteUint(uint value)
    {
        Reserve(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void WriteInt(int value) => WriteUint((uint)value);

    public void WriteFixed(WaylandFixed value) => WriteUint((uint)value.Raw);

    public void WriteObject(uint id) => WriteUint(id);

    public void WriteNewId(uint id) => WriteUint(id);

    /// <summary>The untyped new_id of <c>wl_registry.bind</c>: interface name, version, id.</summary>
    public void WriteUntypedNewId(string interfaceName, uint version, uint id)
    {
        WriteString(interfaceName);
        WriteUint(version);
        WriteUint(id);
    }

    /// <summary>A string, or the null string (length 0) when <paramref name="value"/> is null.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteUint(0);
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        BeginBytes(byteCount + 1);
        Encoding.UTF8.GetBytes(value, _buffer[_position..]);
        EndBytes(byteCount, byteCount + 1);
    }

    /// <summary>A string given as UTF-8 without its NUL.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        BeginBytes(utf8.Length + 1);
        utf8.CopyTo(_buffer[_position..]);
        EndBytes(utf8.Length, utf8.Length + 1);
    }

    public void WriteArray(ReadOnlySpan<byte> contents)
    {
        BeginBytes(contents.Length);
        contents.CopyTo(_buffer[_position..]);
        EndBytes(contents.Length, contents.Length);
    }

    private void BeginBytes(int lengthField)
    {
        WriteUint((uint)lengthField);
        Reserve(WireReader.Padded((uint)lengthField));
    }

    // Zero-fills from the end of the content to the 4-byte boundary (the NUL of a string included),
    // so no stale buffer bytes reach the peer.
    private void EndBytes(int contentLength, int lengthField)
    {
        int padded = WireReader.Padded((uint)lengthField);
        _buffer.Slice(_position + contentLength, padded - contentLength).Clear();
        _position += padded;
    }

    private readonly void Reserve(int count)
    {
        if (_buffer.Length - _position < count)
            throw new InvalidOperationException($"The message buffer of {_buffer.Length} bytes is too small.");
    }
}

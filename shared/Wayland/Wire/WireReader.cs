using System.Buffers.Binary;
using CrossDomain.Interop;

namespace CrossDomain.Wayland.Wire;

/// <summary>
/// Reads the arguments of one message body in order. Each read checks bounds and reports a
/// <see cref="WireError"/> instead of throwing; after the first error every later read fails too.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly ReadOnlySpan<FileDescriptor> _fds;
    private int _position;
    private int _fdPosition;

    public WireReader(ReadOnlySpan<byte> body, ReadOnlySpan<FileDescriptor> fds = default)
    {
        _body = body;
        _fds = fds;
    }

    public WireError Error { get; private set; }

    public readonly int Position => _position;

    public readonly int FdsRead => _fdPosition;

    public readonly bool AtEnd => _position == _body.Length;

    public bool TryReadUint(out uint value)
    {
        value = 0;
        if (Error != WireError.None) return false;
        if (_body.Length - _position < 4) return Fail(WireError.ArgumentOverrun);
        value = BinaryPrimitives.ReadUInt32LittleEndian(_body[_position..]);
        _position += 4;
        return true;
    }

    public bool TryReadInt(out int value)
    {
        bool ok = TryReadUint(out uint raw);
        value = (int)raw;
        return ok;
    }

    public bool TryReadFixed(out WaylandFixed value)
    {
        bool ok = TryReadUint(out uint raw);
        value = new WaylandFixed((int)raw);
        return ok;
    }

    /// <summary>An object or new_id; 0 (null) is an error unless <paramref name="nullable"/>.</summary>
    public bool TryReadObject(bool nullable, out uint id)
    {
        if (!TryReadUint(out id)) return false;
        return id != 0 || nullable || Fail(WireError.NullNotAllowed);
    }

    /// <summary>
    /// A string: the UTF-8 bytes without the terminating NUL. A null string (length 0) is
    /// reported through <paramref name="isNull"/> and is an error unless <paramref name="nullable"/>.
    /// </summary>
    public bool TryReadString(bool nullable, out ReadOnlySpan<byte> utf8, out bool isNull)
    {
        utf8 = default;
        isNull = false;
        if (!TryReadUint(out uint length)) return false;
        if (length == 0)
        {
            isNull = true;
            return nullable || Fail(WireError.NullNotAllowed);
        }
        if (length > (uint)(_body.Length - _position)) return Fail(WireError.ArgumentOverrun);
        var bytes = _body.Slice(_position, (int)length);
        if (bytes[^1] != 0) return Fail(WireError.StringNotTerminated);
        utf8 = bytes[..^1];
        if (utf8.IndexOf((byte)0) >= 0) return Fail(WireError.StringEmbeddedNul);
        return Skip(Padded(length), WireError.ArgumentOverrun);
    }

    public bool TryReadString(bool nullable, out string? value)
    {
        value = null;
        if (!TryReadString(nullable, out var utf8, out bool isNull)) return false;
        if (!isNull) value = System.Text.Encoding.UTF8.GetString(utf8);
        return true;
    }

    public bool TryReadArray(out ReadOnlySpan<byte> contents)
    {
        contents = default;
        if (!TryReadUint(out uint length)) return false;
        if (length > (uint)(_body.Length - _position)) return Fail(WireError.ArrayOverrun);
        contents = _body.Slice(_position, (int)length);
        return Skip(Padded(length), WireError.ArrayOverrun);
    }

    /// <summary>The next fd of the message; the caller must not dispose it (the message owns it).</summary>
    public bool TryReadFd(out FileDescriptor? fd)
    {
        fd = null;
        if (Error != WireError.None) return false;
        if (_fdPosition >= _fds.Length) return Fail(WireError.FdMissing);
        fd = _fds[_fdPosition++];
        return true;
    }

    /// <summary>Ends the message: bytes left over are an error.</summary>
    public bool TryFinish() => Error == WireError.None && (AtEnd || Fail(WireError.TrailingBytes));

    internal static int Padded(uint length) => (int)((length + 3) & ~3u);

    private bool Skip(int count, WireError overrun)
    {
        if (count > _body.Length - _position) return Fail(overrun);
        _position += count;
        return true;
    }

    private bool Fail(WireError error)
    {
        if (Error == WireError.None) Error = error;
        return false;
    }
}

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// A byte buffer that is reused from call to call and grows (by doubling) only when a call needs
/// more than any before it, so that a steady stream allocates nothing.
/// </summary>
internal sealed class GrowableBuffer
{
    private byte[] _bytes;
    private int _start;
    private int _length;

    public GrowableBuffer(int initialCapacity) => _bytes = new byte[initialCapacity];

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(_start, _length);

    public void Clear() => _start = _length = 0;

    /// <summary>Room for <paramref name="count"/> more bytes at the end; <see cref="Advance"/> says how many were written.</summary>
    public Span<byte> GetSpan(int count)
    {
        if (_start + _length + count > _bytes.Length)
        {
            if (_length + count <= _bytes.Length)
                _bytes.AsSpan(_start, _length).CopyTo(_bytes);
            else
            {
                var larger = new byte[Math.Max(_bytes.Length * 2, _length + count)];
                _bytes.AsSpan(_start, _length).CopyTo(larger);
                _bytes = larger;
            }
            _start = 0;
        }
        return _bytes.AsSpan(_start + _length, count);
    }

    public void Advance(int count) => _length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Takes up to <paramref name="destination"/>'s length from the front.</summary>
    public int Take(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _length);
        _bytes.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        _length -= count;
        if (_length == 0) _start = 0;
        return count;
    }
}

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// A byte buffer that is reused from call to call and grows (by doubling) only when a call needs
/// more than any before it, so that a steady stream allocates nothing.
/// </summary>
internal sealed class GrowableBuffer(int initialCapacity)
{
    private byte[] _bytes = new byte[initialCapacity];
    private int _length;

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

    public void Clear() => _length = 0;

    /// <summary>Room for <paramref name="count"/> more bytes at the end; <see cref="Advance"/> says how many were written.</summary>
    public Span<byte> GetSpan(int count)
    {
        if (_length + count > _bytes.Length)
        {
            var larger = new byte[Math.Max(_bytes.Length * 2, _length + count)];
            _bytes.AsSpan(0, _length).CopyTo(larger);
            _bytes = larger;
        }
        return _bytes.AsSpan(_length, count);
    }

    public void Advance(int count) => _length += count;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }
}

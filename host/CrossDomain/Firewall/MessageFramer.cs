using System.Buffers.Binary;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// Cuts one direction of a Wayland byte stream into whole messages. A SEND or a recvmsg may end
/// anywhere inside a message: the bytes of an unfinished one wait here, in a buffer of the largest
/// message's size, until the rest comes, so nothing reaches the other side before it can be judged.
/// </summary>
internal sealed class MessageFramer
{
    /// <summary>libwayland's own limit (WL_MAX_MESSAGE_SIZE): no real peer sends more in one message.</summary>
    public const int MaxMessageSize = 4096;

    private readonly byte[] _partial = new byte[MaxMessageSize];
    private int _partialLength;

    /// <summary>Bytes of an unfinished message held back from earlier calls.</summary>
    public int PendingLength => _partialLength;

    public Frames Frame(ReadOnlySpan<byte> data) => new(this, data);

    /// <summary>The messages of the held bytes and <c>data</c>; what is left unfinished is kept when <see cref="Next"/> says so.</summary>
    public ref struct Frames
    {
        private readonly MessageFramer _owner;
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        internal Frames(MessageFramer owner, ReadOnlySpan<byte> data)
        {
            _owner = owner;
            _data = data;
        }

        /// <summary>
        /// The next whole message (valid until the next call), or <see cref="FrameStatus.End"/> once the
        /// rest is kept for later, or <see cref="FrameStatus.Malformed"/> for a header no peer may send.
        /// </summary>
        public FrameStatus Next(out ReadOnlySpan<byte> message)
        {
            message = default;
            var owner = _owner;
            var rest = _data[_position..];
            if (owner._partialLength > 0)
            {
                // Finish the header first: its size says how much more the message needs.
                int headerMissing = MessageHeader.Length - owner._partialLength;
                if (headerMissing > 0 && !owner.Fill(ref rest, ref _position, headerMissing)) return FrameStatus.End;
                if (!TrySize(owner._partial, out int size)) return FrameStatus.Malformed;
                if (!owner.Fill(ref rest, ref _position, size - owner._partialLength)) return FrameStatus.End;
                message = owner._partial.AsSpan(0, size);
                owner._partialLength = 0;
                return FrameStatus.Message;
            }
            if (rest.IsEmpty) return FrameStatus.End;
            if (rest.Length >= MessageHeader.Length)
            {
                if (!TrySize(rest, out int size)) return FrameStatus.Malformed;
                if (rest.Length >= size)
                {
                    message = rest[..size];
                    _position += size;
                    return FrameStatus.Message;
                }
            }
            rest.CopyTo(owner._partial);
            owner._partialLength = rest.Length;
            _position = _data.Length;
            return FrameStatus.End;
        }

        private static bool TrySize(ReadOnlySpan<byte> header, out int size)
        {
            size = (int)(BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) >> 16);
            return size >= MessageHeader.Length && (size & 3) == 0 && size <= MaxMessageSize;
        }
    }

    /// <summary>Moves up to <paramref name="wanted"/> bytes of <paramref name="rest"/> into the held message; true when all came.</summary>
    private bool Fill(ref ReadOnlySpan<byte> rest, ref int position, int wanted)
    {
        int take = Math.Min(wanted, rest.Length);
        rest[..take].CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += take;
        rest = rest[take..];
        position += take;
        return take == wanted;
    }
}

internal enum FrameStatus
{
    /// <summary>A whole message is there.</summary>
    Message,

    /// <summary>The bytes are used up; an unfinished message waits for the next call.</summary>
    End,

    /// <summary>A header no peer may send: the stream cannot be framed any further.</summary>
    Malformed,
}

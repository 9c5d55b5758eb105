using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// One received message: its header, its payload and the fds that came with it. The fds belong
/// to the message until taken with <see cref="TakeFd"/>; disposing the message closes the rest,
/// so an fd the handler did not want can never leak.
/// </summary>
public sealed class VhostUserMessage : IDisposable
{
    private readonly byte[] _payload;
    private readonly FileDescriptor?[] _fds;

    internal VhostUserMessage(MessageHeader header, byte[] payload, FileDescriptor?[] fds, bool isKnownRequest)
    {
        Header = header;
        _payload = payload;
        _fds = fds;
        IsKnownRequest = isKnownRequest;
    }

    public MessageHeader Header { get; }

    public uint Request => Header.Request;

    public bool NeedsReply => Header.NeedsReply;

    /// <summary>False for an id the rules let through without knowing it (the handler refuses it).</summary>
    public bool IsKnownRequest { get; }

    public ReadOnlySpan<byte> Payload => _payload;

    public int FdCount => _fds.Length;

    /// <summary>Reads a <typeparamref name="T"/> from the start of the payload; false when the payload is shorter.</summary>
    public bool TryRead<T>(out T value) where T : unmanaged => TryRead(0, out value);

    /// <summary>Reads a <typeparamref name="T"/> at <paramref name="offset"/>; false when it does not fit in the payload.</summary>
    public bool TryRead<T>(int offset, out T value) where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (offset < 0 || offset > _payload.Length - size)
        {
            value = default;
            return false;
        }
        value = MemoryMarshal.Read<T>(_payload.AsSpan(offset, size));
        return true;
    }

    /// <summary>Hands fd <paramref name="index"/> to the caller, who must dispose it; null when absent or already taken.</summary>
    public FileDescriptor? TakeFd(int index)
    {
        if ((uint)index >= (uint)_fds.Length) return null;
        var fd = _fds[index];
        _fds[index] = null;
        return fd;
    }

    public void Dispose()
    {
        for (int i = 0; i < _fds.Length; i++)
        {
            _fds[i]?.Dispose();
            _fds[i] = null;
        }
    }
}

using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// A buffer of the device mapped into this process through a channel: a host blob made there, or
/// a client's dma-buf imported there. Its resource id for the identifiers of a SEND, and its bytes.
/// Dispose closes the buffer (an import once its last holder lets go); one not disposed goes with
/// the channel's context.
/// </summary>
public sealed class MappedBuffer : IDisposable
{
    private readonly CrossDomainChannel _channel;
    private readonly uint _bufferHandle;
    private readonly MappedBlob _memory;
    private bool _disposed;

    internal MappedBuffer(CrossDomainChannel channel, uint bufferHandle, uint resourceId, MappedBlob memory, bool isGuestCopy = false)
    {
        _channel = channel;
        _bufferHandle = bufferHandle;
        _memory = memory;
        ResourceId = resourceId;
        IsGuestCopy = isGuestCopy;
    }

    public uint ResourceId { get; }

    /// <summary>
    /// Whether these bytes are guest pages standing in for host memory the device cannot map here:
    /// what is written reaches the host only by <see cref="CrossDomainChannel.TransferToHost"/>.
    /// </summary>
    public bool IsGuestCopy { get; }

    internal uint BufferHandle => _bufferHandle;

    public long Length => _memory.Length;

    public Span<byte> GetSpan(long offset, int length) => _memory.GetSpan(offset, length);

    /// <summary>Has the host copy one box (texels of the host's layout) of a guest copy into its memory.</summary>
    public void TransferToHost(in VirtioGpu.Protocol.Box box) => _channel.TransferToHost(this, box);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _channel.CloseBuffer(_bufferHandle);
    }
}

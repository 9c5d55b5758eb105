using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// A host blob made through a channel and mapped into this process: its resource id for the
/// identifiers of a SEND, and its bytes. Dispose closes the buffer; a blob not disposed goes with
/// the channel's context.
/// </summary>
public sealed class MappedHostBlob : IDisposable
{
    private readonly CrossDomainChannel _channel;
    private readonly uint _bufferHandle;
    private readonly MappedBlob _memory;
    private bool _disposed;

    internal MappedHostBlob(CrossDomainChannel channel, uint bufferHandle, uint resourceId, MappedBlob memory)
    {
        _channel = channel;
        _bufferHandle = bufferHandle;
        _memory = memory;
        ResourceId = resourceId;
    }

    public uint ResourceId { get; }

    public long Length => _memory.Length;

    public Span<byte> GetSpan(long offset, int length) => _memory.GetSpan(offset, length);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _channel.CloseBuffer(_bufferHandle);
    }
}

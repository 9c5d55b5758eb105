using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.GuestProxy.Channel;

/// <summary>
/// A client's dma-buf of one of this device's resources, imported through a channel: the resource
/// id, its guest backing mapped here, and readbacks of what the host rendered into that backing.
/// Dispose lets go of the import; one not disposed goes with the channel's context.
/// </summary>
public sealed class ImportedGpuBuffer : IDisposable
{
    private readonly CrossDomainChannel _channel;
    private readonly uint _bufferHandle;
    private readonly MappedBlob _backing;
    private bool _disposed;

    internal ImportedGpuBuffer(CrossDomainChannel channel, uint bufferHandle, uint resourceId, MappedBlob backing)
    {
        _channel = channel;
        _bufferHandle = bufferHandle;
        _backing = backing;
        ResourceId = resourceId;
    }

    public uint ResourceId { get; }

    public long Length => _backing.Length;

    public ReadOnlySpan<byte> GetSpan(long offset, int length) => _backing.GetSpan(offset, length);

    /// <summary>
    /// Copies one box of the host's resource into the backing, at <paramref name="offset"/>, once the
    /// rendering before it is done: the kernel queues the transfer behind the client's own
    /// submissions, and the wait covers every fence on the buffer (implicit fencing).
    /// </summary>
    public void ReadBack(in Box box, uint offset) => _channel.ReadBack(_bufferHandle, box, offset);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _channel.ReleaseImport(_bufferHandle);
    }
}

using CrossDomain.GuestProxy.Channel;
using CrossDomain.Interop;

namespace CrossDomain.GuestProxy.Relay.HostMemory;

/// <summary>
/// fds the host sent as memory (a VIRTGPU_BLOB identifier in a RECEIVE), made into fds a client
/// can take: today a keymap, copied into a sealed memfd.
/// </summary>
internal sealed class HostMemoryImport(CrossDomainChannel channel)
{
    /// <summary>A keymap is tens of KiB; this bounds what one event can make the proxy allocate.</summary>
    private const uint MaxHostMemoryCopy = 16 << 20;

    private const ulong Page = 4096;

    public FileDescriptor CopyToMemfd(ChannelIdentifier identifier)
    {
        ulong blobSize = (identifier.Size + Page - 1) & ~(Page - 1);
        if (identifier.Size == 0 || identifier.Size > MaxHostMemoryCopy)
            throw new InvalidDataException($"host memory of {identifier.Size} bytes for one event");
        var memfd = MemFd.Create("crossdomain-host-memory", identifier.Size);
        try
        {
            using (var copy = MemoryMapping.Map(memfd, identifier.Size))
                channel.ReadHostMemory(identifier.Id, blobSize, copy.Span);
            // Sealed: a keymap (the one such event here) is shared read-only with MAP_PRIVATE from wl_seat v7.
            MemFd.AddSeals(memfd, MemFdSeals.Shrink | MemFdSeals.Grow | MemFdSeals.Write | MemFdSeals.Seal);
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }
}

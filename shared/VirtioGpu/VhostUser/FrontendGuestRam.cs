using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// A memfd mapped into this process, playing guest RAM for a local front-end: the driver writes
/// rings and buffers here at guest-physical <see cref="GuestPhysicalBase"/> + offset, and the
/// back-end maps the same memfd.
/// </summary>
public sealed class FrontendGuestRam : IDisposable
{
    private readonly FileDescriptor _fd;
    private readonly MemoryMapping _mapping;

    private FrontendGuestRam(FileDescriptor fd, MemoryMapping mapping, ulong guestPhysicalBase)
    {
        _fd = fd;
        _mapping = mapping;
        GuestPhysicalBase = guestPhysicalBase;
        Region = new FrontendMemoryRegion(fd, guestPhysicalBase, (ulong)mapping.Length, mapping.Address);
    }

    public ulong GuestPhysicalBase { get; }

    public ulong Size => (ulong)_mapping.Length;

    public nint HostAddress => _mapping.Address;

    /// <summary>The region to hand to <see cref="VhostUserFrontend.Activate"/>; valid while this object lives.</summary>
    public FrontendMemoryRegion Region { get; }

    public static FrontendGuestRam Create(string name, long size, ulong guestPhysicalBase = 0)
    {
        var fd = MemFd.Create(name, size);
        try
        {
            return new FrontendGuestRam(fd, MemoryMapping.Map(fd, size), guestPhysicalBase);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>A span over guest-physical [<paramref name="address"/>, +<paramref name="length"/>), bounds-checked.</summary>
    public Span<byte> GetSpan(ulong address, int length)
    {
        if (address < GuestPhysicalBase || address - GuestPhysicalBase > long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(address));
        return _mapping.GetSpan((long)(address - GuestPhysicalBase), length);
    }

    public void Dispose()
    {
        _mapping.Dispose();
        _fd.Dispose();
    }
}

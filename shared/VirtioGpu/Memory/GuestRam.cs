using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.Memory;

/// <summary>
/// Guest RAM for a driver that is not in a VM (local mode, tests): one memfd the front-end shares
/// with the back-end through SET_MEM_TABLE, mapped here too, with guest-physical addresses starting
/// at <see cref="BaseAddress"/>, handed out in page-aligned blocks.
/// </summary>
public sealed class GuestRam : IGuestMemory, IDisposable
{
    public const int PageSize = 4096;

    private readonly MemoryMapping _mapping;
    private readonly RangeAllocator _allocator;

    public GuestRam(long size, ulong baseAddress = 0x1_0000_0000, string name = "crossdomain-guest-ram")
    {
        if (size <= 0 || size % PageSize != 0) throw new ArgumentException("Guest RAM must be a positive number of pages.", nameof(size));
        Fd = MemFd.Create(name, size, allowSealing: true);
        // A back-end maps only guest RAM that cannot shrink under it; the driver never resizes it.
        MemFd.AddSeals(Fd, MemFdSeals.Shrink);
        _mapping = MemoryMapping.Map(Fd, size);
        Size = size;
        BaseAddress = baseAddress;
        _allocator = new RangeAllocator(size, PageSize);
    }

    /// <summary>The memfd to share with the back-end.</summary>
    public FileDescriptor Fd { get; }

    public long Size { get; }

    public ulong BaseAddress { get; }

    /// <summary>Where the memory is mapped in this process (what vhost-user calls the user address).</summary>
    public nint HostAddress => _mapping.Address;

    public long FreeBytes => _allocator.FreeBytes;

    /// <summary>This memory as the one region of a vhost-user memory table.</summary>
    public VhostUser.FrontendMemoryRegion Region => new(Fd, BaseAddress, (ulong)Size, HostAddress);

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span)
    {
        span = default;
        if (address < BaseAddress) return false;
        ulong offset = address - BaseAddress;
        if (offset > (ulong)Size || length > (ulong)Size - offset) return false;
        span = _mapping.GetSpan((long)offset, (int)length);
        return true;
    }

    public Span<byte> GetSpan(ulong address, int length) =>
        TryGetSpan(address, (uint)length, out var span) ? span : throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:x}+{length} is outside guest RAM.");

    /// <summary>Allocates a zeroed, page-aligned block and returns its guest-physical address.</summary>
    public ulong Allocate(long length)
    {
        if (!_allocator.TryAllocate(length, out long offset))
            throw new InsufficientMemoryException($"Guest RAM has no free block of {length} bytes.");
        _mapping.GetSpan(offset, (int)_allocator.RoundUp(length)).Clear();
        return BaseAddress + (ulong)offset;
    }

    public void Free(ulong address, long length) => _allocator.Free((long)(address - BaseAddress), length);

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }
}

using CrossDomain.Interop;

namespace CrossDomain.VirtioGpu.Memory;

/// <summary>
/// Guest RAM for a driver that is not in a VM (local mode, tests): one memfd the front-end shares
/// with the back-end through SET_MEM_TABLE, mapped here too, with guest-physical addresses starting
/// at <see cref="BaseAddress"/>. A simple first-fit allocator hands out page-aligned blocks.
/// </summary>
public sealed class GuestRam : IGuestMemory, IDisposable
{
    public const int PageSize = 4096;

    private readonly MemoryMapping _mapping;
    // Free blocks as (offset, length), sorted by offset, coalesced on free.
    private readonly List<(long Offset, long Length)> _free = [];

    public GuestRam(long size, ulong baseAddress = 0x1_0000_0000)
    {
        if (size <= 0 || size % PageSize != 0) throw new ArgumentException("Guest RAM must be a positive number of pages.", nameof(size));
        Fd = MemFd.Create("crossdomain-guest-ram", size);
        _mapping = MemoryMapping.Map(Fd, size);
        Size = size;
        BaseAddress = baseAddress;
        _free.Add((0, size));
    }

    /// <summary>The memfd to share with the back-end.</summary>
    public FileDescriptor Fd { get; }

    public long Size { get; }

    public ulong BaseAddress { get; }

    /// <summary>Where the memory is mapped in this process (what vhost-user calls the user address).</summary>
    public nint HostAddress => _mapping.Address;

    public long FreeBytes => _free.Sum(block => block.Length);

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
        long rounded = (length + PageSize - 1) / PageSize * PageSize;
        for (int i = 0; i < _free.Count; i++)
        {
            var (offset, available) = _free[i];
            if (available < rounded) continue;
            if (available == rounded) _free.RemoveAt(i);
            else _free[i] = (offset + rounded, available - rounded);
            _mapping.GetSpan(offset, (int)rounded).Clear();
            return BaseAddress + (ulong)offset;
        }
        throw new InsufficientMemoryException($"Guest RAM has no free block of {rounded} bytes.");
    }

    public void Free(ulong address, long length)
    {
        long offset = (long)(address - BaseAddress);
        long rounded = (length + PageSize - 1) / PageSize * PageSize;
        int index = _free.FindIndex(block => block.Offset > offset);
        if (index < 0) index = _free.Count;
        _free.Insert(index, (offset, rounded));
        if (index + 1 < _free.Count && _free[index].Offset + _free[index].Length == _free[index + 1].Offset)
        {
            _free[index] = (_free[index].Offset, _free[index].Length + _free[index + 1].Length);
            _free.RemoveAt(index + 1);
        }
        if (index > 0 && _free[index - 1].Offset + _free[index - 1].Length == _free[index].Offset)
        {
            _free[index - 1] = (_free[index - 1].Offset, _free[index - 1].Length + _free[index].Length);
            _free.RemoveAt(index);
        }
    }

    public void Dispose()
    {
        _mapping.Dispose();
        Fd.Dispose();
    }
}

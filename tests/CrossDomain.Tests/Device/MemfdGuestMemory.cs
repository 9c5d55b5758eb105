using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.Tests.Device;

/// <summary>
/// Guest RAM for device tests: one memfd region at a guest-physical base address, as a front-end
/// would share it. Addresses outside it are refused, as the real memory table refuses them.
/// </summary>
internal sealed class MemfdGuestMemory : IGuestMemory, IDisposable
{
    public const ulong BaseAddress = 0x1000_0000;
    public const int Length = 16 << 20;

    private readonly FileDescriptor _memfd;
    private readonly MemoryMapping _mapping;

    public MemfdGuestMemory()
    {
        _memfd = MemFd.Create("guest-ram", Length, allowSealing: true);
        MemFd.AddSeals(_memfd, MemFdSeals.Shrink); // as a back-end insists guest RAM be
        _mapping = MemoryMapping.Map(_memfd, Length);
    }

    public static ulong End => BaseAddress + Length;

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span)
    {
        span = default;
        if (address < BaseAddress || address > End || length > End - address) return false;
        span = _mapping.GetSpan((long)(address - BaseAddress), (int)length);
        return true;
    }

    /// <summary>The test's own view of guest memory, for writing what the guest would have written.</summary>
    public Span<byte> At(ulong address, int length) => _mapping.GetSpan((long)(address - BaseAddress), length);

    public void Dispose()
    {
        _mapping.Dispose();
        _memfd.Dispose();
    }
}

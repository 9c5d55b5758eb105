using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace CrossDomain.Interop;

/// <summary>
/// A shared mmap of (part of) a file, released on dispose. The mapping keeps its own reference
/// to the memory, so the fd it came from may be closed while the mapping lives.
/// </summary>
public sealed unsafe class MemoryMapping : IDisposable
{
    private void* _address;

    private MemoryMapping(void* address, long length, bool writable)
    {
        _address = address;
        Length = length;
        IsWritable = writable;
    }

    public long Length { get; }

    public bool IsWritable { get; }

    public bool IsDisposed => _address == null;

    public nint Address => _address == null ? throw new ObjectDisposedException(nameof(MemoryMapping)) : (nint)_address;

    public static MemoryMapping Map(FileDescriptor fd, long length, long offset = 0, bool writable = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        int protection = PROT_READ | (writable ? PROT_WRITE : 0);
        void* address = mmap(null, (size_t)(ulong)length, protection, MAP_SHARED, fd.Fd, offset);
        if (address == MAP_FAILED) throw Errno.Exception("mmap");
        return new MemoryMapping(address, length, writable);
    }

    /// <summary>A span over <paramref name="length"/> bytes at <paramref name="offset"/>, bounds-checked.</summary>
    public Span<byte> GetSpan(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside a mapping of {Length} bytes.");
        return new Span<byte>((byte*)Address + offset, length);
    }

    public Span<byte> Span => GetSpan(0, checked((int)Length));

    public void Dispose()
    {
        if (_address == null) return;
        munmap(_address, (size_t)(ulong)Length);
        _address = null;
        GC.SuppressFinalize(this);
    }

    ~MemoryMapping() => Dispose();
}

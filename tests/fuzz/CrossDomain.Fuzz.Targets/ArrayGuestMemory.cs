using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Guest RAM as one managed array at a guest-physical base: zeroing it is the whole reset, and it
/// needs no fd, so thousands of inputs a second cost no syscalls for memory. Small on purpose, so
/// random addresses the fuzzer derives from seeds land inside it now and then.
/// </summary>
public sealed class ArrayGuestMemory(ulong baseAddress, int length) : IGuestMemory
{
    private readonly byte[] _bytes = new byte[length];

    public ulong BaseAddress { get; } = baseAddress;

    public int Length => _bytes.Length;

    public ulong End => BaseAddress + (ulong)_bytes.Length;

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span)
    {
        span = default;
        if (address < BaseAddress || address > End || length > End - address) return false;
        span = _bytes.AsSpan((int)(address - BaseAddress), (int)length);
        return true;
    }

    /// <summary>The harness's own view, for writing what the guest would have written.</summary>
    public Span<byte> At(ulong address, int length) => _bytes.AsSpan((int)(address - BaseAddress), length);

    public void Clear() => Array.Clear(_bytes);
}

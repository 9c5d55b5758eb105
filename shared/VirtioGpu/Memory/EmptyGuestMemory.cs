namespace CrossDomain.VirtioGpu.Memory;

/// <summary>No memory at all: what the device sees before the first memory table, or after it is gone.</summary>
public sealed class EmptyGuestMemory : IGuestMemory
{
    public static readonly EmptyGuestMemory Instance = new();

    private EmptyGuestMemory()
    {
    }

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span)
    {
        span = default;
        return false;
    }
}

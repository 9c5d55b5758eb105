namespace CrossDomain.VirtioGpu.Memory;

/// <summary>
/// Guest-physical memory as the device sees it. Every address and length comes from the guest, so
/// an access is granted only when the whole range lies inside memory the front-end shared.
/// </summary>
public interface IGuestMemory
{
    /// <summary>
    /// A span over guest-physical [<paramref name="address"/>, +<paramref name="length"/>), or false when
    /// any part of it is outside the memory table or the range crosses from one region into another.
    /// The span is valid until the memory table changes (the device's loop thread owns both).
    /// </summary>
    bool TryGetSpan(ulong address, uint length, out Span<byte> span);
}

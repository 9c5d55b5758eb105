using CrossDomain.VirtioGpu.Memory;

namespace CrossDomain.Host.Device;

/// <summary>
/// The guest memory contexts are given: it forwards to whatever memory table is current, so a
/// context made before SET_MEM_TABLE (or before a region was added) sees the new table.
/// </summary>
internal sealed class SwitchableGuestMemory(IGuestMemory initial) : IGuestMemory
{
    public IGuestMemory Current { get; set; } = initial;

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span) => Current.TryGetSpan(address, length, out span);
}

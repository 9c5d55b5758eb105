namespace CrossDomain.Host.VhostUser;

/// <summary>
/// One part of a split virtqueue (descriptor table, available ring or used ring) as mapped in
/// this process, with its guest-physical address for code that goes through IGuestMemory.
/// </summary>
public readonly record struct VringArea(nint HostAddress, ulong GuestPhysicalAddress, int Length)
{
    /// <summary>Valid while the ring is started and the memory table unchanged.</summary>
    public unsafe Span<byte> AsSpan() => new((void*)HostAddress, Length);
}

using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.CrossDomain;

/// <summary>
/// The fence timelines (<c>ring_idx</c>) of a cross-domain context. Unrelated to the resource
/// ids of the ring pages passed in INIT.
/// </summary>
public enum CrossDomainRing : uint
{
    /// <summary>Synchronous queries; the host completes its fences at once.</summary>
    Query = 0,

    /// <summary>Channel events: each POLL fence completes when one event has been written.</summary>
    Channel = 1,

    /// <summary>Guest-side marker for "submit without a ring index".</summary>
    None = 0xFFFF_FFFF,
}

/// <summary>
/// POLL, on the channel ring. The command does nothing; its fence is the request: complete it
/// once the next channel event has been written into the channel ring.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct CrossDomainPoll
{
    public CrossDomainHeader Header;
    public ulong Padding;
}

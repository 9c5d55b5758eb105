namespace CrossDomain.VirtioGpu.CrossDomain;

public static class CrossDomainLimits
{
    /// <summary>
    /// Identifiers per SEND/RECEIVE. Was 4 before crosvm 03c5118df; both sides must agree
    /// because it moves the opaque data.
    /// </summary>
    public const int MaxIdentifiers = 28;

    /// <summary>
    /// Size of a ring page and of the guest's command buffer in every implementation we know
    /// (one x86_64 page).
    /// </summary>
    public const int DefaultRingSize = 4096;

    /// <summary>Most Wayland bytes one SEND or RECEIVE carries: what fits in a ring after the struct.</summary>
    public const int MaxSendReceivePayload = DefaultRingSize - CrossDomainSendReceive.Size;

    /// <summary>Most pipe bytes one READ or WRITE carries.</summary>
    public const int MaxReadWritePayload = DefaultRingSize - CrossDomainReadWrite.Size;

    /// <summary><c>cmd_size</c> is 16 bits wide.</summary>
    public const int MaxCommandSize = ushort.MaxValue;

    /// <summary>
    /// Read-pipe ids are counted from here on both sides: incremented before use (the first is
    /// 0x80000001) and wrapped back to this value on overflow.
    /// </summary>
    public const uint PipeReadStart = 0x8000_0000;

    public const uint AtomicMemorySentinelStart = 0x4000_0000;
}

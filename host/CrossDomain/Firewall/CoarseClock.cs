namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// The system's monotonic time in milliseconds (the kernel's coarse clock): the request rate reads
/// it once per SEND, and a millisecond is fine enough for a bucket that refills per second, at a
/// fraction of the precise clock's cost.
/// </summary>
internal sealed class CoarseClock : TimeProvider
{
    public static CoarseClock Instance { get; } = new();

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => Environment.TickCount64;
}

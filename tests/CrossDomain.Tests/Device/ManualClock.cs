namespace CrossDomain.Tests.Device;

/// <summary>A clock that moves only when the test says, so that "within one second" does not depend on how busy the machine is.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}

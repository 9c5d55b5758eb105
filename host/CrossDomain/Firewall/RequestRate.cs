namespace CrossDomain.Host.CrossDomain.Firewall;

/// <summary>
/// A token bucket over one context's requests: it holds up to the burst, each request takes one,
/// and it refills at the rate per second of <paramref name="clock"/>'s monotonic time (which tests
/// move by hand). The clock is read once per SEND, not per request.
/// </summary>
internal sealed class RequestRate(int perSecond, int burst, TimeProvider clock)
{
    private readonly long _frequency = clock.TimestampFrequency;
    private double _tokens = burst;
    private long _refilledAt = clock.GetTimestamp();

    public int PerSecond => perSecond;

    public int Burst => burst;

    /// <summary>Credits the time since the last refill, up to a full bucket.</summary>
    public void Refill()
    {
        long now = clock.GetTimestamp();
        // The usual case on a busy stream: the same tick as the last SEND, nothing to credit.
        if (now == _refilledAt) return;
        // Multiplied before divided: a whole second's credit comes out whole, with no rounding.
        _tokens = Math.Min(burst, _tokens + (double)(now - _refilledAt) * perSecond / _frequency);
        _refilledAt = now;
    }

    /// <summary>False when the bucket is empty: the request is one too many.</summary>
    public bool TryTake()
    {
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}

using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>The fence timelines of one context, one per ring index, made on first use.</summary>
internal sealed class ContextTimelines
{
    private readonly RingTimeline?[] _rings = new RingTimeline?[VirtioGpuLimits.MaxRingIndex + 1];

    public ContextTimelines(uint contextId) => ContextId = contextId;

    public uint ContextId { get; }

    /// <summary>Set when the context is destroyed: later signals from its workers are ignored.</summary>
    public bool IsClosed { get; set; }

    /// <param name="ringIndex">At most <see cref="VirtioGpuLimits.MaxRingIndex"/>; callers check.</param>
    public RingTimeline Ring(byte ringIndex) => _rings[ringIndex] ??= new RingTimeline();

    public IEnumerable<RingTimeline> StartedRings()
    {
        foreach (var ring in _rings)
        {
            if (ring is not null) yield return ring;
        }
    }
}

namespace CrossDomain.Host.Device;

/// <summary>
/// Given to each context at creation: how it tells the device that a fence on one of its rings
/// has signalled. Safe to call from any thread.
/// </summary>
public sealed class ContextFenceSignal
{
    private readonly FenceTimelines _timelines;
    private readonly ContextTimelines _context;

    internal ContextFenceSignal(FenceTimelines timelines, ContextTimelines context)
    {
        _timelines = timelines;
        _context = context;
    }

    /// <summary>
    /// Fence <paramref name="fenceId"/> on ring <paramref name="ringIndex"/> is done, and with it every
    /// earlier fence of that ring: their replies go back to the guest. From the device's loop thread
    /// (including from inside <see cref="IGpuContext.CreateFence"/>) that happens before this returns;
    /// from any other thread it is posted to the loop.
    /// </summary>
    public void Signal(byte ringIndex, ulong fenceId) => _timelines.Signal(_context, ringIndex, fenceId);
}

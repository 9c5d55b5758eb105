namespace CrossDomain.Host.Device;

/// <summary>
/// Bytes of host memory the guest has made the device hold. Charged before an allocation is made,
/// so a guest past its budget causes no allocation at all. Contexts get it too (<see cref="GpuContextSetup.Memory"/>),
/// for what they allocate beyond the resources the device counts.
/// </summary>
public sealed class HostMemoryBudget(long limitBytes)
{
    public ulong Limit { get; } = (ulong)limitBytes;

    public ulong Used { get; private set; }

    public bool TryCharge(ulong bytes)
    {
        if (bytes > Limit - Used) return false;
        Used += bytes;
        return true;
    }

    public void Refund(ulong bytes) => Used -= Math.Min(bytes, Used);
}

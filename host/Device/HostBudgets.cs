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

/// <summary>
/// Host fds the device holds on the guest's behalf (HOST3D blob memory, fds kept for it from the
/// compositor, pipes, SENDs waiting with their fds). Every device shares one process and its fd
/// table, and a process out of fds fails everywhere at once, so each device has its own bound.
/// Like <see cref="HostMemoryBudget"/>, charged before the fds are made.
/// </summary>
public sealed class HostFdBudget(int limit)
{
    public int Limit { get; } = limit;

    public int Used { get; private set; }

    public bool HasRoom(int count) => count <= Limit - Used;

    public bool TryTake(int count)
    {
        if (!HasRoom(count)) return false;
        Used += count;
        return true;
    }

    /// <summary>For callers that checked <see cref="HasRoom"/> first: taking more than is left is a bug.</summary>
    public void Take(int count)
    {
        if (!TryTake(count)) throw new InvalidOperationException($"{count} fds do not fit in what is left of the budget ({Limit - Used}).");
    }

    public void Return(int count) => Used -= Math.Min(count, Used);
}

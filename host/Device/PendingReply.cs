namespace CrossDomain.Host.Device;

/// <summary>
/// Where the response to one control-queue request goes: the writable part of its descriptor chain.
/// The device completes it exactly once, at once or when the request's fence signals; completing
/// returns the chain to the guest (used ring, then an interrupt when due).
/// </summary>
public abstract class PendingReply
{
    /// <summary>Bytes the guest left room for; a response is truncated to this.</summary>
    public abstract int Capacity { get; }

    public abstract void Complete(ReadOnlySpan<byte> response);
}

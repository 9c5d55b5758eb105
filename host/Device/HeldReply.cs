namespace CrossDomain.Host.Device;

/// <summary>
/// A fenced command's reply, encoded when the command ran and kept until its fence signals. The
/// bytes live in a pooled array so holding a reply allocates nothing once the pool is warm.
/// </summary>
/// <param name="ArrivedAt">When the command arrived, for the fence latency metric; 0 when not measured.</param>
internal readonly record struct HeldReply(PendingReply Reply, ulong FenceId, long ArrivedAt, byte[] Response, int Length);

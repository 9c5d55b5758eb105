namespace CrossDomain.VirtioGpu.VhostUser;

public enum SendStatus
{
    /// <summary>Every byte is in the kernel.</summary>
    Sent,

    /// <summary>Part of the output waits for the socket to become writable; call Flush then.</summary>
    Queued,

    /// <summary>The channel is broken; see its <see cref="VhostUserChannel.Error"/>.</summary>
    Failed,
}

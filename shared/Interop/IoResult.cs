namespace CrossDomain.Interop;

public enum IoStatus
{
    /// <summary>Some bytes moved; see <see cref="IoResult.Bytes"/>.</summary>
    Done,
    /// <summary>Nothing to read or no room to write now; wait for readiness.</summary>
    WouldBlock,
    /// <summary>The peer closed its end (a read of 0 bytes).</summary>
    EndOfStream,
    /// <summary>The call failed; see <see cref="IoResult.Errno"/>.</summary>
    Failed,
    /// <summary>The peer sent more fds than one message may carry; the fds that arrived were closed.</summary>
    ControlTruncated,
}

/// <summary>The outcome of one non-blocking read or write, without exceptions on the hot path.</summary>
public readonly record struct IoResult(IoStatus Status, int Bytes, int Errno)
{
    public static IoResult WouldBlock => new(IoStatus.WouldBlock, 0, 0);

    public static IoResult EndOfStream => new(IoStatus.EndOfStream, 0, 0);

    public static IoResult Done(int bytes) => new(IoStatus.Done, bytes, 0);

    public static IoResult Failed(int errno, IoStatus status = IoStatus.Failed) => new(status, 0, errno);

    public bool IsError => Status is IoStatus.Failed or IoStatus.ControlTruncated;
}

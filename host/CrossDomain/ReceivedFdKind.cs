namespace CrossDomain.Host.CrossDomain;

/// <summary>What an fd from the compositor can become for the guest (PROTOCOL.md B.5, RECEIVE).</summary>
internal enum ReceivedFdKind
{
    /// <summary>Nothing the Wayland channel carries (a socket, an eventfd, a read pipe …): closed.</summary>
    Unsupported,

    /// <summary>Seekable, mappable memory (memfd, shm, dma-buf): a VIRTGPU_BLOB identifier.</summary>
    Memory,

    /// <summary>A pipe opened for writing only: a WRITE_PIPE identifier.</summary>
    WritePipe,
}

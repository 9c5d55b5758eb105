namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>Ids of the device's shared memory regions, as the transport announces them.</summary>
public enum SharedMemoryId : byte
{
    Undefined = 0,

    /// <summary>
    /// The window that MAP_BLOB offsets are relative to. Without it the guest cannot map host
    /// blobs, so keymaps and shadow buffers stop working.
    /// </summary>
    HostVisible = 1,
}

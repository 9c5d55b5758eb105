namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>Requests the back-end sends on the back-end channel (SET_BACKEND_REQ_FD); replies reuse the id.</summary>
public enum BackendRequest : uint
{
    None = 0,
    IotlbMsg = 1,

    /// <summary>Config space changed. QEMU's GPU front-end logs it as unhandled.</summary>
    ConfigChangeMsg = 2,

    VringHostNotifierMsg = 3,
    VringCall = 4,
    VringErr = 5,
    SharedObjectAdd = 6,
    SharedObjectRemove = 7,
    SharedObjectLookup = 8,

    /// <summary>Map an fd into a shared memory region; one fd attached. Older crosvm used 6, then 1000.</summary>
    ShmemMap = 9,

    /// <summary>Unmap a range of a shared memory region. Older crosvm used 7, then 1001.</summary>
    ShmemUnmap = 10,
}

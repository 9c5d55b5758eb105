namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Requests the front-end (the VMM) sends on the main socket; replies reuse the id. Names follow
/// vhost-user.rst without the <c>VHOST_USER_</c> prefix. Ids a GPU back-end never sees are listed
/// too, so a log can name whatever arrives.
/// </summary>
public enum FrontendRequest : uint
{
    None = 0,
    GetFeatures = 1,
    SetFeatures = 2,
    SetOwner = 3,

    /// <summary>Deprecated; QEMU may still send it where RESET_DEVICE was not negotiated.</summary>
    ResetOwner = 4,

    SetMemTable = 5,
    SetLogBase = 6,
    SetLogFd = 7,
    SetVringNum = 8,
    SetVringAddr = 9,
    SetVringBase = 10,

    /// <summary>Stops the ring; the reply carries the next available index.</summary>
    GetVringBase = 11,

    SetVringKick = 12,
    SetVringCall = 13,
    SetVringErr = 14,
    GetProtocolFeatures = 15,
    SetProtocolFeatures = 16,
    GetQueueNum = 17,
    SetVringEnable = 18,
    SendRarp = 19,
    NetSetMtu = 20,

    /// <summary>Was SET_SLAVE_REQ_FD: hands over the back-end channel.</summary>
    SetBackendReqFd = 21,

    IotlbMsg = 22,
    SetVringEndian = 23,
    GetConfig = 24,
    SetConfig = 25,
    CreateCryptoSession = 26,
    CloseCryptoSession = 27,
    PostcopyAdvise = 28,
    PostcopyListen = 29,
    PostcopyEnd = 30,
    GetInflightFd = 31,
    SetInflightFd = 32,

    /// <summary>QEMU's display socket for a GPU back-end (vhost-user-gpu.rst).</summary>
    GpuSetSocket = 33,

    ResetDevice = 34,
    VringKick = 35,
    GetMaxMemSlots = 36,
    AddMemReg = 37,
    RemMemReg = 38,
    SetStatus = 39,
    GetStatus = 40,
    GetSharedObject = 41,
    SetDeviceStateFd = 42,
    CheckDeviceState = 43,

    /// <summary>
    /// The sizes of the device's VIRTIO Shared Memory Regions. Earlier drafts used 41 and then
    /// 1004 (as GET_SHARED_MEMORY_REGIONS); 44 is the final id.
    /// </summary>
    GetShmemConfig = 44,
}

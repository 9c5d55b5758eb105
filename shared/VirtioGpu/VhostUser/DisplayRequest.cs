namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// Requests a GPU back-end sends to QEMU's display on the socket of GPU_SET_SOCKET
/// (vhost-user-gpu.rst). QEMU answers only some of them, with the same id and the reply flag.
/// </summary>
public enum DisplayRequest : uint
{
    None = 0,
    GetProtocolFeatures = 1,
    SetProtocolFeatures = 2,
    GetDisplayInfo = 3,
    CursorPosition = 4,
    CursorPositionHide = 5,
    CursorUpdate = 6,
    Scanout = 7,
    Update = 8,
    DmabufScanout = 9,

    /// <summary>QEMU replies only once its GL display has flushed, which makes it a flow-control point.</summary>
    DmabufUpdate = 10,

    GetEdid = 11,
    DmabufScanout2 = 12,
}

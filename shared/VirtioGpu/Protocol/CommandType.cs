namespace CrossDomain.VirtioGpu.Protocol;

/// <summary>
/// The <c>type</c> word of a control header: a command in a request, a result code in a response.
/// </summary>
public enum CommandType : uint
{
    Undefined = 0,

    // 2D and general commands.
    GetDisplayInfo = 0x0100,
    ResourceCreate2D = 0x0101,
    ResourceUnref = 0x0102,
    SetScanout = 0x0103,
    ResourceFlush = 0x0104,
    TransferToHost2D = 0x0105,
    ResourceAttachBacking = 0x0106,
    ResourceDetachBacking = 0x0107,
    GetCapsetInfo = 0x0108,
    GetCapset = 0x0109,
    GetEdid = 0x010a,
    ResourceAssignUuid = 0x010b,
    ResourceCreateBlob = 0x010c,
    SetScanoutBlob = 0x010d,

    // 3D commands: only valid when VIRGL was negotiated.
    ContextCreate = 0x0200,
    ContextDestroy = 0x0201,
    ContextAttachResource = 0x0202,
    ContextDetachResource = 0x0203,
    ResourceCreate3D = 0x0204,
    TransferToHost3D = 0x0205,
    TransferFromHost3D = 0x0206,
    Submit3D = 0x0207,
    ResourceMapBlob = 0x0208,
    ResourceUnmapBlob = 0x0209,

    // Cursor queue only.
    UpdateCursor = 0x0300,
    MoveCursor = 0x0301,

    OkNoData = 0x1100,
    OkDisplayInfo = 0x1101,
    OkCapsetInfo = 0x1102,
    OkCapset = 0x1103,
    OkEdid = 0x1104,
    OkResourceUuid = 0x1105,
    OkMapInfo = 0x1106,

    /// <summary>
    /// crosvm's ChromeOS-only reply to RESOURCE_CREATE_BLOB. Never send it to upstream guests:
    /// they give the response only 24 bytes.
    /// </summary>
    OkResourcePlaneInfo = 0x11ff,

    // Every code from here up is an error; Linux logs any of them.
    ErrorUnspecified = 0x1200,
    ErrorOutOfMemory = 0x1201,
    ErrorInvalidScanoutId = 0x1202,
    ErrorInvalidResourceId = 0x1203,
    ErrorInvalidContextId = 0x1204,
    ErrorInvalidParameter = 0x1205,
}

using System.Runtime.CompilerServices;

namespace CrossDomain.VirtioGpu.VhostUser;

/// <summary>
/// What a reader accepts on one socket in one direction: requests or replies, whether the
/// version bits must say 1, and the <see cref="PayloadShape"/> of each id. A header that breaks
/// these rules is rejected before its payload is read, so no peer can make a reader allocate
/// more than <see cref="VhostUserLimits.MaxPayload"/> bytes or hold more than
/// <see cref="VhostUserLimits.MaxFdsPerMessage"/> fds for one message.
/// </summary>
public sealed class MessageRules
{
    private readonly Func<uint, PayloadShape?> _shapeOf;

    private MessageRules(string name, bool readsReplies, bool requiresVersion1, Func<uint, PayloadShape?> shapeOf)
    {
        Name = name;
        ReadsReplies = readsReplies;
        RequiresVersion1 = requiresVersion1;
        _shapeOf = shapeOf;
    }

    public string Name { get; }

    /// <summary>True: every message must carry the reply flag; false: none may.</summary>
    public bool ReadsReplies { get; }

    /// <summary>The display socket has no version field; the two vhost-user sockets must say 1.</summary>
    public bool RequiresVersion1 { get; }

    /// <summary>Front-end requests, as a back-end reads them on the main socket.</summary>
    public static MessageRules FrontendRequests { get; } =
        new("front-end requests", readsReplies: false, requiresVersion1: true, FrontendRequestShape);

    /// <summary>Replies to front-end requests, as a front-end reads them on the main socket.</summary>
    public static MessageRules FrontendReplies { get; } =
        new("front-end replies", readsReplies: true, requiresVersion1: true, FrontendReplyShape);

    /// <summary>Back-end requests, as a front-end reads them on the back-end channel.</summary>
    public static MessageRules BackendRequests { get; } =
        new("back-end requests", readsReplies: false, requiresVersion1: true, BackendRequestShape);

    /// <summary>Acks of back-end requests, as a back-end reads them on the back-end channel.</summary>
    public static MessageRules BackendReplies { get; } =
        new("back-end replies", readsReplies: true, requiresVersion1: true, _ => PayloadShape.U64);

    /// <summary>QEMU's replies on the display socket, as a back-end reads them.</summary>
    public static MessageRules DisplayReplies { get; } =
        new("display replies", readsReplies: true, requiresVersion1: false, DisplayReplyShape);

    /// <summary>A back-end's display requests, as QEMU (or a test standing in for it) reads them.</summary>
    internal static MessageRules DisplayRequests { get; } =
        new("display requests", readsReplies: false, requiresVersion1: false, DisplayRequestShape);

    /// <summary>The shape of <paramref name="request"/>, or null when this socket refuses the id outright.</summary>
    public PayloadShape? ShapeOf(uint request) => _shapeOf(request);

    private static PayloadShape? FrontendRequestShape(uint request)
    {
        int regionPayload = Unsafe.SizeOf<SingleMemoryRegion>();
        int configMax = Unsafe.SizeOf<ConfigSpaceHeader>() + VhostUserLimits.MaxConfigSize;
        return (FrontendRequest)request switch
        {
            FrontendRequest.GetFeatures or FrontendRequest.SetOwner or FrontendRequest.ResetOwner
                or FrontendRequest.GetProtocolFeatures or FrontendRequest.GetQueueNum
                or FrontendRequest.ResetDevice or FrontendRequest.GetMaxMemSlots
                or FrontendRequest.GetShmemConfig => PayloadShape.Empty,
            FrontendRequest.SetFeatures or FrontendRequest.SetProtocolFeatures => PayloadShape.U64,
            // The region count inside decides how many of these bytes and fds must be there; the
            // session checks that, the reader only bounds it.
            FrontendRequest.SetMemTable => PayloadShape.Between(
                MemoryTable.HeaderLength, Unsafe.SizeOf<MemoryTable>(), 0, VhostUserLimits.MaxMemTableRegions),
            FrontendRequest.SetVringNum or FrontendRequest.SetVringBase or FrontendRequest.GetVringBase
                or FrontendRequest.SetVringEnable => PayloadShape.Exactly(Unsafe.SizeOf<VringState>()),
            FrontendRequest.SetVringAddr => PayloadShape.Exactly(Unsafe.SizeOf<VringAddress>()),
            // Bit 8 of the payload says whether the fd is there, so 0 or 1 is all the reader can check.
            FrontendRequest.SetVringKick or FrontendRequest.SetVringCall or FrontendRequest.SetVringErr =>
                PayloadShape.Between(sizeof(ulong), sizeof(ulong), 0, 1),
            FrontendRequest.SetBackendReqFd or FrontendRequest.GpuSetSocket => PayloadShape.Exactly(0, fds: 1),
            FrontendRequest.GetConfig or FrontendRequest.SetConfig =>
                PayloadShape.Between(Unsafe.SizeOf<ConfigSpaceHeader>(), configMax),
            FrontendRequest.AddMemReg => PayloadShape.Exactly(regionPayload, fds: 1),
            // QEMU and libvhost-user attach the region's fd to REM_MEM_REG too; the spec allows it.
            FrontendRequest.RemMemReg => PayloadShape.Between(regionPayload, regionPayload, 0, 1),
            _ => PayloadShape.Unknown,
        };
    }

    private static PayloadShape? FrontendReplyShape(uint request) => (FrontendRequest)request switch
    {
        // A back-end that cannot serve GET_CONFIG answers with an empty payload.
        FrontendRequest.GetConfig => PayloadShape.Between(
            0, Unsafe.SizeOf<ConfigSpaceHeader>() + VhostUserLimits.MaxConfigSize),
        FrontendRequest.GetVringBase => PayloadShape.Exactly(Unsafe.SizeOf<VringState>()),
        FrontendRequest.GetShmemConfig => PayloadShape.Between(ShmemConfig.HeaderLength, Unsafe.SizeOf<ShmemConfig>()),
        FrontendRequest.None => null,
        // Every other reply is a u64: a value (GET_FEATURES, GET_QUEUE_NUM, …) or a NEED_REPLY
        // ack, which may answer an id this code does not know; the front-end matches ids itself.
        _ => PayloadShape.U64,
    };

    private static PayloadShape? BackendRequestShape(uint request) => (BackendRequest)request switch
    {
        BackendRequest.ShmemMap => PayloadShape.Exactly(Unsafe.SizeOf<ShmemMapping>(), fds: 1),
        BackendRequest.ShmemUnmap => PayloadShape.Exactly(Unsafe.SizeOf<ShmemMapping>()),
        BackendRequest.ConfigChangeMsg => PayloadShape.Empty,
        _ => PayloadShape.Unknown,
    };

    private static PayloadShape? DisplayReplyShape(uint request) => (DisplayRequest)request switch
    {
        DisplayRequest.GetProtocolFeatures => PayloadShape.U64,
        // virtio_gpu_resp_display_info and virtio_gpu_resp_edid, whole.
        DisplayRequest.GetDisplayInfo => PayloadShape.Exactly(408),
        DisplayRequest.GetEdid => PayloadShape.Exactly(1056),
        DisplayRequest.DmabufUpdate => PayloadShape.Empty,
        _ => null,
    };

    private static PayloadShape? DisplayRequestShape(uint request) => (DisplayRequest)request switch
    {
        DisplayRequest.GetProtocolFeatures or DisplayRequest.GetDisplayInfo => PayloadShape.Empty,
        DisplayRequest.SetProtocolFeatures => PayloadShape.U64,
        DisplayRequest.CursorPosition or DisplayRequest.CursorPositionHide or DisplayRequest.Scanout =>
            PayloadShape.Exactly(12),
        DisplayRequest.GetEdid => PayloadShape.Exactly(sizeof(uint)),
        DisplayRequest.DmabufUpdate => PayloadShape.Exactly(20),
        DisplayRequest.DmabufScanout => PayloadShape.Between(40, 40, 0, 1),
        DisplayRequest.DmabufScanout2 => PayloadShape.Between(48, 48, 0, 1),
        // CURSOR_UPDATE (16 KiB of pixels) and UPDATE (a whole rectangle) are not used by this project.
        _ => null,
    };
}

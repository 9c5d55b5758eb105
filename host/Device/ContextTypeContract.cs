using CrossDomain.Host.Metrics;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

// The contract between the device and the context types it serves (cross-domain, virgl, gfxstream),
// in one place as rutabaga_gfx keeps it in rutabaga_core.rs: what a context type implements
// (IContextType, IGpuContext, and for a renderer with device-global resources IResource3DType and
// Resource3D), what it is given (GpuContextSetup, ContextFenceSignal, HostBlobRequest) and what it
// hands back (HostBlob, GpuError). The rules a context must keep are on the members: every call
// comes from the device's loop thread, a fence signalled on a ring completes every earlier one of
// that ring, and whatever a context hands back the device owns from then on. The device objects a
// context is handed have their own files: GpuResource, Resource2D, BlobResource, GuestBacking,
// HostMemoryBudget and HostFdBudget (HostBudgets.cs), LogRateLimiter.

/// <summary>
/// A kind of virtio-gpu context (cross-domain, virgl, gfxstream …), named by its capset id: it
/// describes its capability set to the guest and makes contexts on CTX_CREATE.
/// </summary>
public interface IContextType
{
    /// <summary>Also the value of <c>context_init &amp; 0xff</c> that asks for this type; 1..63.</summary>
    CapsetId CapsetId { get; }

    uint CapsetMaxVersion { get; }

    /// <summary>Bytes of capset data; GET_CAPSET answers with exactly this many.</summary>
    uint CapsetMaxSize { get; }

    /// <summary>
    /// A 3D renderer (virgl, venus, gfxstream). The first one registered serves CTX_CREATE with
    /// capset 0, which is what Linux sends for the context it creates implicitly.
    /// </summary>
    bool Is3D { get; }

    /// <summary>
    /// Writes capset data of <paramref name="version"/> (at most <see cref="CapsetMaxVersion"/>) into
    /// <paramref name="destination"/>, which is <see cref="CapsetMaxSize"/> bytes and zeroed.
    /// </summary>
    void WriteCapset(uint version, Span<byte> destination);

    /// <summary>Makes a context; on failure returns the error for the guest and no context.</summary>
    GpuError CreateContext(GpuContextSetup setup, out IGpuContext? context);
}

/// <summary>
/// One guest context of some <see cref="IContextType"/>. The device calls it only from its loop
/// thread; anything a call hands over (spans) is valid only during that call. Disposing it is
/// CTX_DESTROY: the device has already completed the replies waiting on its fences.
/// </summary>
public interface IGpuContext : IDisposable
{
    /// <summary>
    /// SUBMIT_3D: a command stream in the context type's own format. <see cref="GpuError.NotYet"/>
    /// defers the whole submission (see there): only before any of it has been carried out.
    /// </summary>
    GpuError Submit(ReadOnlySpan<byte> commands);

    /// <summary>CTX_ATTACH_RESOURCE: from now on the context may use <paramref name="resource"/>.</summary>
    void AttachResource(GpuResource resource);

    /// <summary>CTX_DETACH_RESOURCE, or the resource is being unreferenced.</summary>
    void DetachResource(GpuResource resource);

    /// <summary>
    /// RESOURCE_CREATE_BLOB with HOST3D or HOST3D_GUEST memory for this context: makes the host
    /// memory behind <see cref="HostBlobRequest.BlobId"/>. The device owns the returned blob.
    /// </summary>
    GpuError CreateBlob(in HostBlobRequest request, out HostBlob? blob);

    /// <summary>
    /// A fenced command on ring <paramref name="ringIndex"/> (0..63) has been executed: signal
    /// <paramref name="fenceId"/> through <see cref="GpuContextSetup.Fences"/> once the ring's work
    /// before it is done — at once, inside this call, when there is none.
    /// </summary>
    GpuError CreateFence(byte ringIndex, ulong fenceId);
}

/// <summary>What a context type gets from the device when CTX_CREATE asks it for a new context.</summary>
/// <param name="ContextId">The guest's id for it (hdr.ctx_id), unique on this device while it lives.</param>
/// <param name="DebugName">
/// The guest's name for it (Linux: the process name), for logs only. The guest chose every byte:
/// it goes into a log line only through <see cref="LogText.Escape"/>, as the device logs it on CTX_CREATE.
/// </param>
/// <param name="GuestMemory">Guest RAM; always the current memory table, even after it changes.</param>
/// <param name="Fences">How the context reports that a fence on one of its rings has signalled.</param>
/// <param name="Loop">
/// The device's event loop, the thread every call into the context comes from: a context watches its
/// own fds (compositor sockets, pipes, renderer fds) here, so its callbacks need no locks.
/// </param>
/// <param name="Memory">
/// The device's host memory budget: a context charges what it allocates for the guest beyond the
/// resources the device already counts, before allocating it.
/// </param>
/// <param name="Fds">The device's host fd budget: a context charges the fds it keeps for the guest.</param>
/// <param name="Logs">
/// The device's log allowance: a context logs through <see cref="LogRateLimiter.Limit"/>, so that
/// lines a guest can cause at will cannot flood the log shared by every VM.
/// </param>
/// <param name="SubmissionsReady">
/// Called by a context that answered a submission with <see cref="GpuError.NotYet"/> once it can
/// take it: the device then goes on with its queue, that submission first.
/// </param>
/// <param name="Metrics">The device's metrics, for what only the context sees (compositor traffic); null counts nothing.</param>
public sealed record GpuContextSetup(uint ContextId, string DebugName, IGuestMemory GuestMemory, ContextFenceSignal Fences,
    EventLoop Loop, HostMemoryBudget Memory, HostFdBudget Fds, LogRateLimiter Logs, Action SubmissionsReady, DeviceMetrics? Metrics = null);

/// <summary>
/// Given to each context at creation: how it tells the device that a fence on one of its rings
/// has signalled. Safe to call from any thread.
/// </summary>
public sealed class ContextFenceSignal
{
    private readonly FenceTimelines _timelines;
    private readonly ContextTimelines _context;

    internal ContextFenceSignal(FenceTimelines timelines, ContextTimelines context)
    {
        _timelines = timelines;
        _context = context;
    }

    /// <summary>
    /// Fence <paramref name="fenceId"/> on ring <paramref name="ringIndex"/> is done, and with it every
    /// earlier fence of that ring: their replies go back to the guest. From the device's loop thread
    /// (including from inside <see cref="IGpuContext.CreateFence"/>) that happens before this returns;
    /// from any other thread it is posted to the loop.
    /// </summary>
    public void Signal(byte ringIndex, ulong fenceId) => _timelines.Signal(_context, ringIndex, fenceId);
}

/// <summary>
/// A RESOURCE_CREATE_BLOB routed to a context (HOST3D or HOST3D_GUEST), already validated by the
/// device: the resource id is free, the size is page-aligned and non-zero, the flags are known.
/// </summary>
public readonly record struct HostBlobRequest(
    uint ResourceId,
    BlobMemory Memory,
    BlobFlags Flags,
    ulong BlobId,
    ulong Size,
    GuestBacking? GuestBacking);

/// <summary>
/// Host memory a context made for a HOST3D blob. The context hands it to the device, which owns it
/// from then on: it maps it into the host-visible window on MAP_BLOB and disposes it (closing the
/// fd) when the resource is unreferenced.
/// </summary>
public sealed class HostBlob : IDisposable
{
    private MemoryMapping? _mapping;

    /// <param name="rendererObject">
    /// The renderer's own object behind the memory (a virgl blob resource), released with it; null
    /// when the fd is all there is.
    /// </param>
    /// <param name="transferLayout">
    /// For a HOST3D_GUEST blob: how its host memory and guest pages are laid out alike, so that the
    /// device can copy boxes between them on TRANSFER_*_3D (<see cref="BlobTransfers"/>); null for
    /// memory that transfers do not reach.
    /// </param>
    public HostBlob(FileDescriptor handle, ulong size, MapCacheType cacheType, bool writable, IDisposable? rendererObject = null,
        BlobImageLayout? transferLayout = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        Handle = handle;
        Size = size;
        CacheType = cacheType;
        IsWritable = writable;
        RendererObject = rendererObject;
        TransferLayout = transferLayout;
    }

    /// <summary>A mappable fd: memfd, shm, dma-buf.</summary>
    public FileDescriptor Handle { get; }

    /// <summary>Bytes of <see cref="Handle"/> that may be mapped, from offset 0.</summary>
    public ulong Size { get; }

    /// <summary>The caching the guest must use; the only part of rutabaga's map_info that reaches it.</summary>
    public MapCacheType CacheType { get; }

    /// <summary>
    /// False for memory the guest may only read (a compositor's write-sealed keymap): mapping it
    /// writable would fail.
    /// </summary>
    public bool IsWritable { get; }

    public IDisposable? RendererObject { get; }

    public BlobImageLayout? TransferLayout { get; }

    /// <summary>The memory mapped into this process, made on the first transfer; null if it cannot be mapped.</summary>
    internal MemoryMapping? Mapping()
    {
        if (_mapping is null && Size > 0)
        {
            try
            {
                _mapping = MemoryMapping.Map(Handle, (long)Size, writable: IsWritable);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }
        return _mapping;
    }

    public void Dispose()
    {
        _mapping?.Dispose();
        Handle.Dispose();
        RendererObject?.Dispose();
    }
}

/// <summary>
/// Why a command failed, one value per virtio error response. The device uses them consistently:
/// a malformed request (too short for what it claims) is <see cref="Unspecified"/>, an id that names
/// nothing is the matching Invalid*Id, a value or state the command cannot accept is
/// <see cref="InvalidParameter"/>, a limit reached is <see cref="OutOfMemory"/>, and a host-side
/// failure is <see cref="Unspecified"/>.
/// </summary>
public enum GpuError : uint
{
    None = 0,
    Unspecified = CommandType.ErrorUnspecified,
    OutOfMemory = CommandType.ErrorOutOfMemory,
    InvalidScanoutId = CommandType.ErrorInvalidScanoutId,
    InvalidResourceId = CommandType.ErrorInvalidResourceId,
    InvalidContextId = CommandType.ErrorInvalidContextId,
    InvalidParameter = CommandType.ErrorInvalidParameter,

    /// <summary>
    /// Not a response. <see cref="IGpuContext.Submit"/> returns it, before doing anything, for a
    /// submission the context cannot take yet (a compositor that is not reading): the device leaves
    /// the command unanswered and takes no further command from the queue until the context calls
    /// <see cref="GpuContextSetup.SubmissionsReady"/>, then hands it the same submission again.
    /// That is how a guest that writes faster than the compositor reads is slowed down, without
    /// losing a byte. Anywhere else it counts as <see cref="Unspecified"/>.
    /// </summary>
    NotYet = 0xFFFF_FFFF,
}

public static class GpuErrorExtensions
{
    /// <summary>The response type that reports <paramref name="error"/>; OK_NODATA for <see cref="GpuError.None"/>.</summary>
    public static CommandType ToResponseType(this GpuError error) => error switch
    {
        GpuError.None => CommandType.OkNoData,
        GpuError.NotYet => CommandType.ErrorUnspecified,
        _ => (CommandType)error,
    };
}

/// <summary>
/// A 3D context type whose renderer also keeps device-global resources (virgl): RESOURCE_CREATE_3D
/// names no context, so the device sends it to its default 3D type when that type implements this,
/// as rutabaga sends it to its default component.
/// </summary>
public interface IResource3DType
{
    /// <summary>
    /// Makes the host object for a RESOURCE_CREATE_3D the device has already checked (id free, sizes
    /// non-zero). <paramref name="loop"/> is the calling device's loop. The device owns the result.
    /// </summary>
    GpuError CreateResource3D(in ResourceCreate3DCommand command, EventLoop loop, out Resource3D? resource);
}

/// <summary>
/// A RESOURCE_CREATE_3D resource: an image or buffer held by a 3D renderer (Gallium's target,
/// format and bind flags). The device checks ids, levels, boxes and backing before it asks the
/// renderer to do anything; the renderer checks the format-dependent byte ranges.
/// </summary>
public abstract class Resource3D : GpuResource
{
    /// <summary>Gallium's PIPE_BUFFER: a buffer is one row of <see cref="Width"/> bytes.</summary>
    public const uint TargetBuffer = 0;

    /// <summary>Gallium allows at most 15 mip levels below the base (16384 = 2^14 texels).</summary>
    public const uint MaxLastLevel = 15;

    private protected Resource3D(in ResourceCreate3DCommand command) : base(command.ResourceId)
    {
        ref readonly var description = ref command.Description;
        Target = description.Target;
        Format = description.Format;
        Bind = description.Bind;
        Width = description.Width;
        Height = description.Height;
        Depth = description.Depth;
        ArraySize = description.ArraySize;
        LastLevel = description.LastLevel;
    }

    public uint Target { get; }

    public uint Format { get; }

    public uint Bind { get; }

    public uint Width { get; }

    public uint Height { get; }

    public uint Depth { get; }

    public uint ArraySize { get; }

    public uint LastLevel { get; }

    /// <summary>
    /// Whether <paramref name="box"/> lies inside mip level <paramref name="level"/>, computed without
    /// overflow. Z counts depth slices of a 3D image or layers of an array (whichever it has).
    /// </summary>
    public bool Contains(uint level, in Box box)
    {
        if (level > LastLevel) return false;
        ulong width = Math.Max(1u, Width >> (int)level);
        ulong height = Math.Max(1u, Height >> (int)level);
        ulong slices = Math.Max(Math.Max(1u, Depth >> (int)level), ArraySize);
        return (ulong)box.X + box.Width <= width && (ulong)box.Y + box.Height <= height && (ulong)box.Z + box.Depth <= slices;
    }

    /// <summary>ATTACH_BACKING: the renderer may read and write these guest pages from now on.</summary>
    internal abstract GpuError AttachBacking(GuestBacking backing, IGuestMemory memory);

    /// <summary>DETACH_BACKING (or UNREF): the renderer lets go of the guest pages.</summary>
    internal abstract void DetachBacking();

    /// <summary>
    /// The memory table changed: the renderer's view of the attached pages moves to the new mapping
    /// before the old one goes away.
    /// </summary>
    internal abstract void GuestMemoryChanged(IGuestMemory memory);

    /// <summary>A checked TRANSFER_*_3D between the resource and its attached backing.</summary>
    internal abstract GpuError Transfer(TransferDirection direction, uint contextId, in TransferHost3DCommand command,
        IGuestMemory memory);
}

/// <summary>Which way a 3D transfer copies, seen from the guest backing.</summary>
public enum TransferDirection
{
    /// <summary>TRANSFER_TO_HOST_3D: guest backing → host resource.</summary>
    ToHost,

    /// <summary>TRANSFER_FROM_HOST_3D: host resource → guest backing.</summary>
    FromHost,
}

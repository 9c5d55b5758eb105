using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.Host.Metrics;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>
/// The virtio-gpu device, independent of its transport: the queue layer hands it each control and
/// cursor request as bytes, and it answers through a <see cref="PendingReply"/>. Everything runs on
/// one <see cref="EventLoop"/>'s thread (the one that calls <see cref="HandleControl"/>): contexts
/// watch their fds on that loop, and those that finish work on other threads reach it through
/// <see cref="EventLoop.Post"/>.
/// <para>
/// The guest is untrusted: each command is checked (sizes, counts, ids, rectangles, ranges) before
/// anything is done, a bad one gets a virtio error response, and every allocation a guest can cause
/// is bounded by <see cref="DeviceLimits"/>.
/// </para>
/// </summary>
public sealed class VirtioGpuDevice : IDisposable
{
    /// <summary>
    /// The device-specific feature bits offered, as crosvm offers them with capsets configured:
    /// VIRGL too, because Linux refuses contexts and host blobs to a device without it. The ring
    /// bits (INDIRECT_DESC, EVENT_IDX) are the queue layer's to add.
    /// </summary>
    public const VirtioGpuFeatures DeviceFeatureBits = VirtioGpuFeatures.Virgl | VirtioGpuFeatures.Edid |
        VirtioGpuFeatures.ResourceUuid | VirtioGpuFeatures.ResourceBlob | VirtioGpuFeatures.ContextInit;

    /// <summary>VIRTIO_F_VERSION_1: Linux will not bind without it.</summary>
    public const VirtioGpuFeatures TransportFeatureBits = VirtioGpuFeatures.Version1;

    private readonly ContextTypeRegistry _registry;
    private readonly ILogger _logger;
    private readonly SwitchableGuestMemory _guestMemory;
    private readonly ResourceTable _resources;
    private readonly ContextTable _contexts;
    private readonly HostMemoryBudget _budget;
    private readonly HostFdBudget _fds;
    private readonly HostWindowMappings _mappings;
    private readonly FenceTimelines _fences;
    private readonly DisplayCommands _display;
    private readonly CapsetCommands _capsets;
    private readonly BlobCommands _blobs;
    private readonly ResourceCommands _resourceCommands;
    private readonly ContextCommands _contextCommands;
    private readonly DeviceMetrics? _metrics;

    /// <summary>Every response is built here, then copied out by the reply: no allocation per command.</summary>
    private readonly byte[] _responseBuffer;

    private DeviceEvents _pendingEvents;
    private bool _disposed;

    /// <param name="loop">The loop the device is driven from; contexts watch their fds on it.</param>
    /// <param name="metrics">Where the device counts its commands, fences and contexts; null counts nothing.</param>
    /// <param name="time">The clock its log allowance (<see cref="LogRateLimiter"/>) runs on; the system's by default.</param>
    public VirtioGpuDevice(VirtioGpuDeviceOptions options, ContextTypeRegistry registry, IGuestMemory guestMemory,
        IHostVisibleWindow window, ILogger logger, EventLoop loop, DeviceMetrics? metrics = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(guestMemory);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(loop);
        options.Validate();
        var limits = options.Limits;
        // Nearly everything the device logs, the guest can make it log again and again.
        var logs = new LogRateLimiter(time ?? TimeProvider.System);
        logger = logs.Limit(logger);
        _registry = registry;
        _logger = logger;
        _guestMemory = new SwitchableGuestMemory(guestMemory);
        _resources = new ResourceTable(limits.MaxResources);
        _contexts = new ContextTable(limits.MaxContexts);
        _budget = new HostMemoryBudget(limits.MaxHostMemoryBytes);
        _fds = new HostFdBudget(limits.MaxHostFds);
        _mappings = new HostWindowMappings(window);
        _metrics = metrics;
        _fences = new FenceTimelines(limits.MaxPendingFences, loop.Post, logger, metrics);
        _display = new DisplayCommands(options.DisplayWidth, options.DisplayHeight, _resources);
        _capsets = new CapsetCommands(registry);
        _blobs = new BlobCommands(_resources, _contexts, _budget, _fds, limits, _mappings, logger);
        _resourceCommands = new ResourceCommands(_resources, _budget, _fds, limits, _guestMemory, _contexts, _display, _blobs, registry, loop);
        _contextCommands = new ContextCommands(registry, _contexts, _resources, _fences, _guestMemory, loop, _budget, _fds, logs,
            () => SubmissionsReady?.Invoke(), limits, logger, metrics);
        _responseBuffer = new byte[Math.Max(Unsafe.SizeOf<EdidResponse>(), _capsets.LargestResponse)];
        metrics?.DeviceStarted();
    }

    /// <summary>
    /// A context that deferred a submission can take it now (see <see cref="HandleControl"/>);
    /// raised on the loop thread, from inside the context's own callbacks, so a transport should
    /// go back to its queue on a later turn of the loop rather than at once.
    /// </summary>
    public event Action? SubmissionsReady;

    /// <summary>RESOURCE_FLUSH of a resource on a scanout; raised on the loop thread.</summary>
    public event ScanoutFlushedHandler? ScanoutFlushed
    {
        add => _display.Flushed += value;
        remove => _display.Flushed -= value;
    }

    /// <summary>Every feature bit to offer the driver: <see cref="DeviceFeatureBits"/> and <see cref="TransportFeatureBits"/>.</summary>
    public ulong DeviceFeatures => (ulong)(DeviceFeatureBits | TransportFeatureBits);

    public uint ScanoutCount => DisplayCommands.ScanoutCount;

    public uint CapsetCount => (uint)_registry.Count;

    /// <summary>Guest RAM. Set it when the memory table changes; contexts see the new one at once.</summary>
    public IGuestMemory GuestMemory
    {
        get => _guestMemory.Current;
        set
        {
            _guestMemory.Current = value ?? throw new ArgumentNullException(nameof(value));
            _resourceCommands.GuestMemoryChanged(value);
        }
    }

    // What the device holds, for tests to look at: nothing outside the device needs to.
    internal CursorState Cursor => _display.Cursor;

    internal int ResourceCount => _resources.Count;

    internal int ContextCount => _contexts.Count;

    /// <summary>Replies held until their fence signals.</summary>
    internal int PendingFenceCount => _fences.HeldCount;

    internal int MappedBlobCount => _mappings.Count;

    /// <summary>Host bytes held for the guest, against <see cref="DeviceLimits.MaxHostMemoryBytes"/>.</summary>
    internal ulong HostMemoryInUse => _budget.Used;

    /// <summary>Host fds held for the guest, against <see cref="DeviceLimits.MaxHostFds"/>.</summary>
    internal int HostFdsInUse => _fds.Used;

    internal ScanoutState GetScanout(uint scanoutId)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(scanoutId, ScanoutCount);
        return _display.Scanout(scanoutId);
    }

    internal bool TryGetResource(uint resourceId, [NotNullWhen(true)] out GpuResource? resource) =>
        _resources.TryGet(resourceId, out resource);

    /// <summary>
    /// Sets bits of <c>events_read</c> (e.g. the display changed); the transport then notifies the
    /// driver of a configuration change.
    /// </summary>
    internal void RaiseEvents(DeviceEvents events) => _pendingEvents |= events;

    /// <summary>
    /// Reads the configuration space (<see cref="DeviceConfig"/>); bytes past its 16 read as zero
    /// (<c>blob_alignment</c> is not offered).
    /// </summary>
    public void ReadConfig(uint offset, Span<byte> destination)
    {
        var config = new DeviceConfig
        {
            EventsRead = _pendingEvents,
            ScanoutCount = ScanoutCount,
            CapsetCount = CapsetCount,
        };
        ReadOnlySpan<byte> image = MemoryMarshal.AsBytes(new ReadOnlySpan<DeviceConfig>(in config));
        destination.Clear();
        if (offset < (uint)image.Length)
        {
            var available = image[(int)offset..];
            available[..Math.Min(available.Length, destination.Length)].CopyTo(destination);
        }
    }

    /// <summary>
    /// Writes the configuration space. Only <c>events_clear</c> is writable: each one bit written
    /// there clears that bit of <c>events_read</c>; writes elsewhere are ignored.
    /// </summary>
    public void WriteConfig(uint offset, ReadOnlySpan<byte> source)
    {
        const int EventsClearOffset = 4;
        for (int i = 0; i < source.Length; i++)
        {
            ulong byteOffset = (ulong)offset + (ulong)i;
            if (byteOffset is < EventsClearOffset or >= EventsClearOffset + sizeof(uint)) continue;
            int shift = 8 * (int)(byteOffset - EventsClearOffset);
            _pendingEvents &= ~(DeviceEvents)((uint)source[i] << shift);
        }
    }

    /// <summary>
    /// Executes one control-queue request and completes <paramref name="reply"/>: at once, or, for a
    /// request fenced on a context ring, when that fence signals (the request has run either way;
    /// only its reply waits). Never throws for bad guest input.
    /// <para>
    /// False when a context deferred the request (<see cref="GpuError.NotYet"/>): nothing was done
    /// and <paramref name="reply"/> is untouched. The transport then takes no further request until
    /// <see cref="SubmissionsReady"/>, and hands this one in again first.
    /// </para>
    /// </summary>
    /// <remarks><see cref="PendingReply.Complete"/> must not call back into the device.</remarks>
    public bool HandleControl(ReadOnlySpan<byte> request, PendingReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fences.LoopThreadId = Environment.CurrentManagedThreadId;
        Span<byte> response = _responseBuffer;
        if (!RequestReader.TryRead(request, out ControlHeader header))
        {
            Answer(reply, request.Length, default, DeviceRefusal.RequestTooShort, arrivedAt: 0);
            return true;
        }

        bool fenced = (header.Flags & ControlHeaderFlags.Fence) != 0;
        long arrivedAt = fenced ? _metrics?.FencedCommandArrived() ?? 0 : 0;
        bool onContextRing = fenced && (header.Flags & ControlHeaderFlags.InfoRingIndex) != 0;
        // Checked before the command runs, so a fence that cannot be held has no side effects.
        var fenceProblem = !onContextRing ? DeviceRefusal.None
            : header.RingIndex > VirtioGpuLimits.MaxRingIndex ? DeviceRefusal.RingIndexTooHigh
            : _fences.IsFull ? DeviceRefusal.TooManyPendingFences
            : DeviceRefusal.None;
        if (fenceProblem != DeviceRefusal.None)
        {
            CommandResult refused = fenceProblem;
            LogFailure(header, refused);
            Answer(reply, request.Length, header, refused, arrivedAt);
            return true;
        }

        var result = ExecuteGuarded(header, request, response);
        if (result.IsDeferred) return false;

        // Fences without a ring are on the global timeline. Nothing here works asynchronously outside
        // a context, so the command is complete now and so is its fence.
        if (onContextRing && _contexts.TryGet(header.ContextId, out var context))
        {
            var fenceResult = CreateFenceGuarded(context, header);
            if (fenceResult == CommandResult.NoData)
            {
                int length = WriteResponseHeader(response, header, result);
                _metrics?.CommandAnswered(request.Length, result.Type);
                _fences.Hold(context.Timelines, header.RingIndex, header.FenceId, arrivedAt, reply, response[..length]);
                return true;
            }
            LogFailure(header, fenceResult);
            result = fenceResult;
        }
        Answer(reply, request.Length, header, result, arrivedAt);
        return true;
    }

    /// <summary>
    /// Executes one cursor-queue request (UPDATE_CURSOR, MOVE_CURSOR). Linux gives these no response
    /// buffer, so the result is only returned, for a transport that has somewhere to put it.
    /// </summary>
    public GpuError HandleCursor(ReadOnlySpan<byte> request)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _fences.LoopThreadId = Environment.CurrentManagedThreadId;
        if (!RequestReader.TryRead(request, out ControlHeader header)) return DeviceRefusal.RequestTooShort.ToGpuError();
        var refusal = header.Type switch
        {
            CommandType.UpdateCursor => _display.UpdateCursor(request),
            CommandType.MoveCursor => _display.MoveCursor(request),
            _ => DeviceRefusal.UnknownCommand,
        };
        if (refusal != DeviceRefusal.None) LogFailure(header, refusal);
        return refusal.ToGpuError();
    }

    /// <summary>
    /// RESET_OWNER / RESET_DEVICE: every context and resource goes, as at CTX_DESTROY and UNREF,
    /// and the device serves a fresh driver from nothing. The replies held on the contexts' fences
    /// are completed, so the reply implementation must cope if its transport is already gone.
    /// </summary>
    public void Reset()
    {
        _contextCommands.DestroyAll();
        foreach (var resource in _resources.All.ToArray()) _resourceCommands.Destroy(resource);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Stopped first: a worker signalling from now on must not post to a loop that may be gone.
        _fences.Stop();
        Reset();
        _metrics?.DeviceStopped();
    }

    /// <summary>
    /// Writes the response for <paramref name="result"/> and returns it now. Counted before the
    /// reply goes back, so whoever sees the reply also sees it counted.
    /// </summary>
    private void Answer(PendingReply reply, int requestBytes, in ControlHeader header, CommandResult result, long arrivedAt)
    {
        int length = WriteResponseHeader(_responseBuffer, header, result);
        if (_metrics is not null)
        {
            _metrics.CommandAnswered(requestBytes, result.Type);
            if ((header.Flags & ControlHeaderFlags.Fence) != 0) _metrics.FenceReturned(arrivedAt);
        }
        reply.Complete(_responseBuffer.AsSpan(0, length));
    }

    private CommandResult ExecuteGuarded(in ControlHeader header, ReadOnlySpan<byte> request, Span<byte> response)
    {
        DeviceLog.CommandReceived(_logger, header.Type, header.ContextId);
        CommandResult result;
        try
        {
            result = Execute(header, request, response);
        }
        catch (Exception exception)
        {
            // Contexts are plug-ins that talk to compositors and renderers; one that throws must cost
            // the guest this command, not the device (and every other context on it).
            DeviceLog.CommandThrew(_logger, exception, header.Type, header.ContextId);
            return DeviceRefusal.CommandThrew;
        }
        if (result.IsError) LogFailure(header, result);
        return result;
    }

    private CommandResult Execute(in ControlHeader header, ReadOnlySpan<byte> request, Span<byte> response)
    {
        switch (header.Type)
        {
            case CommandType.GetDisplayInfo: return _display.GetDisplayInfo(response);
            case CommandType.GetEdid: return _display.GetEdid(request, response);
            case CommandType.SetScanout: return _display.SetScanout(request);
            case CommandType.ResourceFlush: return _display.ResourceFlush(request);
            case CommandType.GetCapsetInfo: return _capsets.GetCapsetInfo(request, response);
            case CommandType.GetCapset: return _capsets.GetCapset(request, response);
            case CommandType.ResourceCreate2D: return _resourceCommands.Create2D(request);
            case CommandType.ResourceUnref: return _resourceCommands.Unref(request);
            case CommandType.TransferToHost2D: return _resourceCommands.TransferToHost2D(request);
            case CommandType.ResourceAttachBacking: return _resourceCommands.AttachBacking(request);
            case CommandType.ResourceDetachBacking: return _resourceCommands.DetachBacking(request);
            case CommandType.ResourceAssignUuid: return _resourceCommands.AssignUuid(request, response);
            case CommandType.ResourceCreateBlob: return _blobs.Create(request);
            case CommandType.ResourceMapBlob: return _blobs.Map(request, response);
            case CommandType.ResourceUnmapBlob: return _blobs.Unmap(request);
            case CommandType.ContextCreate: return _contextCommands.Create(request);
            case CommandType.ContextDestroy: return _contextCommands.Destroy(request);
            case CommandType.ContextAttachResource: return _contextCommands.AttachResource(request);
            case CommandType.ContextDetachResource: return _contextCommands.DetachResource(request);
            case CommandType.Submit3D: return _contextCommands.Submit(request);
            case CommandType.ResourceCreate3D: return _resourceCommands.Create3D(request);
            case CommandType.TransferToHost3D: return _resourceCommands.Transfer3D(request, TransferDirection.ToHost);
            case CommandType.TransferFromHost3D: return _resourceCommands.Transfer3D(request, TransferDirection.FromHost);
            case CommandType.SetScanoutBlob:
                DeviceLog.CommandNotSupported(_logger, header.Type);
                return DeviceRefusal.NotSupported;
            default:
                return DeviceRefusal.UnknownCommand;
        }
    }

    /// <summary>NO_DATA when the context holds the fence; a context's NotYet counts as an error here.</summary>
    private CommandResult CreateFenceGuarded(ContextEntry context, in ControlHeader header)
    {
        try
        {
            var error = context.Context.CreateFence(header.RingIndex, header.FenceId);
            return CommandResult.FromContext(error == GpuError.NotYet ? GpuError.Unspecified : error);
        }
        catch (Exception exception)
        {
            // As in ExecuteGuarded: the reply goes back with an error instead of never.
            DeviceLog.CommandThrew(_logger, exception, header.Type, header.ContextId);
            return DeviceRefusal.CommandThrew;
        }
    }

    /// <summary>
    /// The response header (PROTOCOL.md A.5): the result type, and the request's flags, fence id,
    /// context id and ring index echoed when the request was fenced, zero otherwise.
    /// </summary>
    private static int WriteResponseHeader(Span<byte> response, in ControlHeader request, CommandResult result)
    {
        ref var header = ref MemoryMarshal.AsRef<ControlHeader>(response);
        header = default;
        header.Type = result.Type;
        if ((request.Flags & ControlHeaderFlags.Fence) != 0)
        {
            header.Flags = request.Flags;
            header.FenceId = request.FenceId;
            header.ContextId = request.ContextId;
            header.RingIndex = request.RingIndex;
        }
        return result.Length;
    }

    private void LogFailure(in ControlHeader header, CommandResult result) =>
        DeviceLog.CommandFailed(_logger, header.Type, header.ContextId, result.Type, result.Refusal);
}

/// <summary>
/// Where the response to one control-queue request goes: the writable part of its descriptor chain.
/// The device completes it exactly once, at once or when the request's fence signals; completing
/// returns the chain to the guest (used ring, then an interrupt when due).
/// </summary>
public abstract class PendingReply
{
    /// <summary>Bytes the guest left room for; a response is truncated to this.</summary>
    public abstract int Capacity { get; }

    public abstract void Complete(ReadOnlySpan<byte> response);
}

/// <summary>
/// The guest memory contexts are given: it forwards to whatever memory table is current, so a
/// context made before SET_MEM_TABLE (or before a region was added) sees the new table.
/// </summary>
internal sealed class SwitchableGuestMemory(IGuestMemory initial) : IGuestMemory
{
    public IGuestMemory Current { get; set; } = initial;

    public bool TryGetSpan(ulong address, uint length, out Span<byte> span) => Current.TryGetSpan(address, length, out span);
}

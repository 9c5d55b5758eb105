using System.Text;
using CrossDomain.Host.Metrics;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>CTX_CREATE, CTX_DESTROY, CTX_ATTACH/DETACH_RESOURCE and SUBMIT_3D.</summary>
internal sealed class ContextCommands(
    ContextTypeRegistry registry,
    ContextTable contexts,
    ResourceTable resources,
    FenceTimelines fences,
    SwitchableGuestMemory guestMemory,
    EventLoop loop,
    HostMemoryBudget memory,
    HostFdBudget fds,
    LogRateLimiter logs,
    Action submissionsReady,
    DeviceLimits limits,
    ILogger logger,
    DeviceMetrics? metrics)
{
    public CommandResult Create(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ContextCreateCommand command)) return DeviceRefusal.RequestTooShort;
        uint contextId = command.Header.ContextId;
        if (!contexts.IsFreeId(contextId)) return DeviceRefusal.ContextIdInUse;
        if (command.NameLength > VirtioGpuLimits.DebugNameSize) return DeviceRefusal.DebugNameTooLong;
        uint capsetId = command.ContextInit & ContextCreateCommand.CapsetIdMask;
        var type = capsetId == 0 ? registry.DefaultType : registry.TryGet((CapsetId)capsetId, out var named) ? named : null;
        if (type is null) return DeviceRefusal.UnknownCapset;
        if (contexts.IsFull) return DeviceRefusal.TooManyContexts;

        var nameBytes = DebugNameBytes(command);
        string debugName = Encoding.UTF8.GetString(nameBytes);
        var timelines = new ContextTimelines(contextId);
        var setup = new GpuContextSetup(contextId, debugName, guestMemory, new ContextFenceSignal(fences, timelines), loop,
            memory, fds, logs, submissionsReady, metrics);
        var error = type.CreateContext(setup, out var context);
        if (error != GpuError.None)
        {
            context?.Dispose();
            return CommandResult.FromContext(error);
        }
        if (context is null) return DeviceRefusal.ContextRefused;
        contexts.Add(new ContextEntry(contextId, type, context, timelines));
        metrics?.ContextCreated();
        DeviceLog.ContextCreated(logger, contextId, type.CapsetId, LogText.Escape(nameBytes, VirtioGpuLimits.DebugNameSize));
        return CommandResult.NoData;
    }

    public CommandResult Destroy(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ContextDestroyCommand command)) return DeviceRefusal.RequestTooShort;
        if (!contexts.TryGet(command.Header.ContextId, out var context)) return DeviceRefusal.NoSuchContext;
        Destroy(context);
        return CommandResult.NoData;
    }

    /// <summary>
    /// The context leaves the table first, so nothing reaches it any more; then the replies held on
    /// its fences go back (the guest would otherwise wait on them forever), and only then is it
    /// disposed, so a context that signals while shutting down finds its timelines closed.
    /// </summary>
    public void Destroy(ContextEntry context)
    {
        contexts.Remove(context);
        fences.Close(context.Timelines);
        ContextTable.ForgetAttachments(context);
        context.Context.Dispose();
        metrics?.ContextDestroyed();
        DeviceLog.ContextDestroyed(logger, context.Id);
    }

    public void DestroyAll()
    {
        foreach (var context in contexts.All.ToArray()) Destroy(context);
    }

    public CommandResult AttachResource(ReadOnlySpan<byte> request)
    {
        var refusal = Resolve(request, out var context, out var resource);
        if (refusal == DeviceRefusal.None) contexts.Attach(context!, resource!);
        return refusal;
    }

    public CommandResult DetachResource(ReadOnlySpan<byte> request)
    {
        var refusal = Resolve(request, out var context, out var resource);
        if (refusal == DeviceRefusal.None) contexts.Detach(context!, resource!);
        return refusal;
    }

    public CommandResult Submit(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out Submit3DCommand command)) return DeviceRefusal.RequestTooShort;
        if (!contexts.TryGet(command.Header.ContextId, out var context)) return DeviceRefusal.NoSuchContext;
        if (command.Size > (uint)limits.MaxSubmitBytes) return DeviceRefusal.SubmitTooLarge;
        if (!RequestReader.TryReadTrailing<Submit3DCommand>(request, command.Size, out var commands)) return DeviceRefusal.PayloadPastRequest;
        return CommandResult.FromContext(context.Context.Submit(commands));
    }

    private DeviceRefusal Resolve(ReadOnlySpan<byte> request, out ContextEntry? context, out GpuResource? resource)
    {
        context = null;
        resource = null;
        if (!RequestReader.TryRead(request, out ContextResourceCommand command)) return DeviceRefusal.RequestTooShort;
        if (!contexts.TryGet(command.Header.ContextId, out context)) return DeviceRefusal.NoSuchContext;
        if (!resources.TryGet(command.ResourceId, out resource)) return DeviceRefusal.NoSuchResource;
        return DeviceRefusal.None;
    }

    /// <summary>The name Linux sends: at most nlen bytes, NUL-terminated only when it fits.</summary>
    private static ReadOnlySpan<byte> DebugNameBytes(in ContextCreateCommand command)
    {
        ReadOnlySpan<byte> name = command.DebugName;
        name = name[..(int)command.NameLength];
        int terminator = name.IndexOf((byte)0);
        return terminator < 0 ? name : name[..terminator];
    }
}

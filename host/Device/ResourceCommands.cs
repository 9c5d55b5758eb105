using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// The 2D and 3D resource commands (create, backing, transfer) and those every resource shares:
/// UNREF and ASSIGN_UUID. 3D resources are made by the default 3D context type's renderer.
/// </summary>
internal sealed class ResourceCommands(
    ResourceTable resources,
    HostMemoryBudget budget,
    HostFdBudget fds,
    DeviceLimits limits,
    SwitchableGuestMemory guestMemory,
    ContextTable contexts,
    DisplayCommands display,
    BlobCommands blobs,
    ContextTypeRegistry registry,
    EventLoop loop)
{
    /// <summary>
    /// Host bytes a 3D resource is charged per texel: its storage is the renderer's, sized by a
    /// format the device does not decode, so this is an estimate that still bounds what a guest can
    /// make the renderer allocate.
    /// </summary>
    private const ulong ChargedBytesPerTexel = 4;

    public CommandResult Create3D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceCreate3DCommand command)) return DeviceRefusal.RequestTooShort;
        if (registry.DefaultType is not IResource3DType renderer) return DeviceRefusal.No3DRenderer;
        if (!resources.IsFreeId(command.ResourceId)) return DeviceRefusal.ResourceIdInUse;
        ref readonly var shape = ref command.Description;
        if (shape.Width == 0 || shape.Height == 0 || shape.Depth == 0 || shape.ArraySize == 0 || shape.LastLevel > Resource3D.MaxLastLevel)
            return DeviceRefusal.BadResourceShape;
        // Mip levels below the base add at most a third again: charged as double.
        UInt128 estimate = (UInt128)shape.Width * shape.Height * shape.Depth * shape.ArraySize * ChargedBytesPerTexel *
            (shape.LastLevel == 0 ? 1u : 2u);
        if (estimate > (ulong)limits.MaxHostMemoryBytes) return DeviceRefusal.HostMemoryExhausted;
        ulong bytes = (ulong)estimate;
        if (resources.IsFull) return DeviceRefusal.TooManyResources;
        if (!budget.TryCharge(bytes)) return DeviceRefusal.HostMemoryExhausted;
        var error = renderer.CreateResource3D(command, loop, out var resource);
        if (error != GpuError.None || resource is null)
        {
            resource?.Release();
            budget.Refund(bytes);
            return error == GpuError.None ? DeviceRefusal.ContextRefused : CommandResult.FromContext(error);
        }
        resource.ChargedHostBytes = bytes;
        resources.Add(resource);
        return CommandResult.NoData;
    }

    /// <summary>
    /// TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D: the resource, its backing, the mip level and the
    /// box are checked here; the byte ranges the format implies are checked by the renderer. On a
    /// blob the device copies the box itself (<see cref="BlobTransfers"/>).
    /// </summary>
    public CommandResult Transfer3D(ReadOnlySpan<byte> request, TransferDirection direction)
    {
        if (!RequestReader.TryRead(request, out TransferHost3DCommand command)) return DeviceRefusal.RequestTooShort;
        uint contextId = command.Header.ContextId;
        ContextEntry? context = null;
        if (contextId != 0 && !contexts.TryGet(contextId, out context)) return DeviceRefusal.NoSuchContext;
        bool found = resources.TryGet(command.ResourceId, out var resource);
        if (resource is BlobResource blob) return BlobTransfers.Transfer(blob, command, direction, guestMemory);
        // Without a renderer that keeps 3D resources, the 3D commands are not supported at all.
        if (registry.DefaultType is not IResource3DType) return DeviceRefusal.No3DRenderer;
        if (!found) return DeviceRefusal.NoSuchResource;
        if (resource is not Resource3D image) return DeviceRefusal.WrongResourceKind;
        if (context is not null && context.Type is not IResource3DType) contextId = RendererContextFor(resource);
        if (image.Backing is not { } backing) return DeviceRefusal.BackingStateWrong;
        if (!image.Contains(command.Level, command.Box)) return DeviceRefusal.OutsideResource;
        if (command.Offset >= backing.Length) return DeviceRefusal.BackingTooSmall;
        if (command.Box.Width == 0 || command.Box.Height == 0 || command.Box.Depth == 0) return CommandResult.NoData;
        return CommandResult.FromContext(image.Transfer(direction, contextId, command, guestMemory));
    }

    /// <summary>
    /// The renderer context a transfer from another kind of context (the guest proxy's cross-domain
    /// context reading back a client's buffer) runs in: one of the renderer's own that has the
    /// resource attached, which is where the client rendered it. There the readback comes after
    /// that rendering in the same GL context; from context 0 it could see the frame before, since
    /// virglrenderer's surfaceless contexts are not flushed when it switches between them.
    /// Context 0 when none has it.
    /// </summary>
    private static uint RendererContextFor(GpuResource resource)
    {
        foreach (var context in resource.AttachedContexts)
            if (context.Type is IResource3DType) return context.Id;
        return 0;
    }

    /// <summary>The memory table changed: renderers that hold guest pages follow it.</summary>
    public void GuestMemoryChanged(IGuestMemory memory)
    {
        foreach (var resource in resources.All)
        {
            if (resource is Resource3D { Backing: not null } image) image.GuestMemoryChanged(memory);
        }
    }

    public CommandResult Create2D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceCreate2DCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.IsFreeId(command.ResourceId)) return DeviceRefusal.ResourceIdInUse;
        if (!Resource2D.IsSupportedFormat(command.Format) || command.Width == 0 || command.Height == 0)
            return DeviceRefusal.BadResourceShape;
        ulong bytes = (ulong)command.Width * command.Height * Resource2D.BytesPerPixel;
        if (bytes > (ulong)Array.MaxLength) return DeviceRefusal.HostMemoryExhausted;
        if (resources.IsFull) return DeviceRefusal.TooManyResources;
        if (!budget.TryCharge(bytes)) return DeviceRefusal.HostMemoryExhausted;
        var resource = new Resource2D(command.ResourceId, command.Format, command.Width, command.Height)
        {
            ChargedHostBytes = bytes,
        };
        resources.Add(resource);
        return CommandResult.NoData;
    }

    public CommandResult AttachBacking(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceAttachBackingCommand command)) return DeviceRefusal.RequestTooShort;
        var refusal = RequestReader.TryReadEntries<ResourceAttachBackingCommand>(request, command.EntryCount,
            limits.MaxBackingEntries, out var entries);
        if (refusal != DeviceRefusal.None) return refusal;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        // A blob's pages are fixed when it is created; 2D and 3D resources take one backing at a time.
        if (resource is not (Resource2D or Resource3D)) return DeviceRefusal.WrongResourceKind;
        if (resource.Backing is not null) return DeviceRefusal.BackingStateWrong;
        refusal = GuestBacking.TryCreate(entries, out var backing);
        if (refusal != DeviceRefusal.None) return refusal;
        if (!budget.TryCharge(backing!.HostBytes)) return DeviceRefusal.HostMemoryExhausted;
        if (resource is Resource3D image)
        {
            var error = image.AttachBacking(backing, guestMemory);
            if (error != GpuError.None)
            {
                budget.Refund(backing.HostBytes);
                return CommandResult.FromContext(error);
            }
        }
        resource.Backing = backing;
        resource.ChargedHostBytes += backing.HostBytes;
        return CommandResult.NoData;
    }

    public CommandResult DetachBacking(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceDetachBackingCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        if (resource is not (Resource2D or Resource3D)) return DeviceRefusal.WrongResourceKind;
        if (resource.Backing is not { } backing) return DeviceRefusal.BackingStateWrong;
        if (resource is Resource3D image) image.DetachBacking();
        resource.Backing = null;
        resource.ChargedHostBytes -= backing.HostBytes;
        budget.Refund(backing.HostBytes);
        return CommandResult.NoData;
    }

    /// <summary>
    /// Copies a rectangle from the guest backing into the host image. Row h of the rectangle is read
    /// at <c>offset + h * stride</c> of the backing (the guest's offset names the rectangle's first
    /// pixel in an image laid out like the host one), as QEMU and Linux agree.
    /// </summary>
    public CommandResult TransferToHost2D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out TransferToHost2DCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        if (resource is not Resource2D image) return DeviceRefusal.WrongResourceKind;
        if (image.Backing is not { } backing) return DeviceRefusal.BackingStateWrong;
        if (!image.Contains(command.Rect)) return DeviceRefusal.OutsideResource;
        var rect = command.Rect;
        if (rect.Width == 0 || rect.Height == 0) return CommandResult.NoData;

        ulong stride = (ulong)image.Stride;
        ulong rowBytes = (ulong)rect.Width * Resource2D.BytesPerPixel;
        ulong lastRowStart = (ulong)(rect.Height - 1) * stride;
        if (command.Offset > backing.Length || lastRowStart + rowBytes > backing.Length - command.Offset)
            return DeviceRefusal.BackingTooSmall;

        var pixels = image.WritablePixels;
        int firstPixel = (int)(rect.Y * stride + rect.X * Resource2D.BytesPerPixel);
        if (rect.Width == image.Width)
        {
            // Whole rows: one run in the backing and one in the image, so one copy.
            int length = (int)(rect.Height * stride);
            return backing.TryRead(guestMemory, command.Offset, pixels.Slice(firstPixel, length))
                ? CommandResult.NoData : DeviceRefusal.GuestMemoryUnreadable;
        }
        for (uint row = 0; row < rect.Height; row++)
        {
            var destination = pixels.Slice(firstPixel + (int)(row * stride), (int)rowBytes);
            if (!backing.TryRead(guestMemory, command.Offset + row * stride, destination)) return DeviceRefusal.GuestMemoryUnreadable;
        }
        return CommandResult.NoData;
    }

    public CommandResult AssignUuid(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out ResourceAssignUuidCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        resource.Uuid ??= Guid.NewGuid();
        ref var answer = ref MemoryMarshal.AsRef<ResourceUuidResponse>(response);
        answer = default;
        // RFC 4122 byte order: what the other virtio device, and the guest, will compare.
        resource.Uuid.Value.TryWriteBytes(answer.Uuid, bigEndian: true, out _);
        return CommandResult.WithPayload<ResourceUuidResponse>(CommandType.OkResourceUuid);
    }

    public CommandResult Unref(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceUnrefCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        Destroy(resource);
        return CommandResult.NoData;
    }

    /// <summary>
    /// Everything that refers to the resource lets go of it before its memory does: the window
    /// mapping, the contexts, the scanouts and cursor; then its host memory and budgets.
    /// </summary>
    public void Destroy(GpuResource resource)
    {
        if (resource is BlobResource blob) blobs.UnmapIfMapped(blob);
        contexts.DetachEverywhere(resource);
        display.ForgetResource(resource.Id);
        resources.Remove(resource);
        budget.Refund(resource.ChargedHostBytes);
        fds.Return(resource.ChargedHostFds);
        resource.Release();
    }
}

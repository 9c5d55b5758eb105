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

    public GpuError Create3D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceCreate3DCommand command)) return GpuError.Unspecified;
        if (registry.DefaultType is not IResource3DType renderer) return GpuError.Unspecified;
        if (!resources.IsFreeId(command.ResourceId)) return GpuError.InvalidResourceId;
        if (command.Width == 0 || command.Height == 0 || command.Depth == 0 || command.ArraySize == 0 ||
            command.LastLevel > Resource3D.MaxLastLevel)
            return GpuError.InvalidParameter;
        // Mip levels below the base add at most a third again: charged as double.
        UInt128 estimate = (UInt128)command.Width * command.Height * command.Depth * command.ArraySize * ChargedBytesPerTexel *
            (command.LastLevel == 0 ? 1u : 2u);
        if (estimate > (ulong)limits.MaxHostMemoryBytes) return GpuError.OutOfMemory;
        ulong bytes = (ulong)estimate;
        if (resources.IsFull || !budget.TryCharge(bytes)) return GpuError.OutOfMemory;
        var error = renderer.CreateResource3D(command, loop, out var resource);
        if (error != GpuError.None || resource is null)
        {
            resource?.Release();
            budget.Refund(bytes);
            return error == GpuError.None ? GpuError.Unspecified : error;
        }
        resource.ChargedHostBytes = bytes;
        resources.Add(resource);
        return GpuError.None;
    }

    /// <summary>
    /// TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D: the resource, its backing, the mip level and the
    /// box are checked here; the byte ranges the format implies are checked by the renderer.
    /// </summary>
    public GpuError Transfer3D(ReadOnlySpan<byte> request, TransferDirection direction)
    {
        if (!RequestReader.TryRead(request, out TransferHost3DCommand command)) return GpuError.Unspecified;
        // Without a renderer that keeps 3D resources, the 3D commands are not supported at all.
        if (registry.DefaultType is not IResource3DType) return GpuError.Unspecified;
        uint contextId = command.Header.ContextId;
        if (contextId != 0 && !contexts.Contains(contextId)) return GpuError.InvalidContextId;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        if (resource is not Resource3D image || image.Backing is not { } backing) return GpuError.InvalidParameter;
        if (!image.Contains(command.Level, command.Box) || command.Offset >= backing.Length) return GpuError.InvalidParameter;
        if (command.Box.Width == 0 || command.Box.Height == 0 || command.Box.Depth == 0) return GpuError.None;
        return image.Transfer(direction, contextId, command, guestMemory);
    }

    /// <summary>The memory table changed: renderers that hold guest pages follow it.</summary>
    public void GuestMemoryChanged(IGuestMemory memory)
    {
        foreach (var resource in resources.All)
        {
            if (resource is Resource3D { Backing: not null } image) image.GuestMemoryChanged(memory);
        }
    }

    public GpuError Create2D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceCreate2DCommand command)) return GpuError.Unspecified;
        if (!resources.IsFreeId(command.ResourceId)) return GpuError.InvalidResourceId;
        if (!Resource2D.IsSupportedFormat(command.Format) || command.Width == 0 || command.Height == 0)
            return GpuError.InvalidParameter;
        ulong bytes = (ulong)command.Width * command.Height * Resource2D.BytesPerPixel;
        if (bytes > (ulong)Array.MaxLength || resources.IsFull || !budget.TryCharge(bytes)) return GpuError.OutOfMemory;
        var resource = new Resource2D(command.ResourceId, command.Format, command.Width, command.Height)
        {
            ChargedHostBytes = bytes,
        };
        resources.Add(resource);
        return GpuError.None;
    }

    public GpuError AttachBacking(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceAttachBackingCommand command)) return GpuError.Unspecified;
        var error = RequestReader.TryReadEntries<ResourceAttachBackingCommand>(request, command.EntryCount,
            limits.MaxBackingEntries, out var entries);
        if (error != GpuError.None) return error;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        // A blob's pages are fixed when it is created; 2D and 3D resources take one backing at a time.
        if (resource is not (Resource2D or Resource3D) || resource.Backing is not null) return GpuError.InvalidParameter;
        error = GuestBacking.TryCreate(entries, out var backing);
        if (error != GpuError.None) return error;
        if (!budget.TryCharge(backing!.HostBytes)) return GpuError.OutOfMemory;
        if (resource is Resource3D image)
        {
            error = image.AttachBacking(backing, guestMemory);
            if (error != GpuError.None)
            {
                budget.Refund(backing.HostBytes);
                return error;
            }
        }
        resource.Backing = backing;
        resource.ChargedHostBytes += backing.HostBytes;
        return GpuError.None;
    }

    public GpuError DetachBacking(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceDetachBackingCommand command)) return GpuError.Unspecified;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        if (resource is not (Resource2D or Resource3D) || resource.Backing is not { } backing) return GpuError.InvalidParameter;
        if (resource is Resource3D image) image.DetachBacking();
        resource.Backing = null;
        resource.ChargedHostBytes -= backing.HostBytes;
        budget.Refund(backing.HostBytes);
        return GpuError.None;
    }

    /// <summary>
    /// Copies a rectangle from the guest backing into the host image. Row h of the rectangle is read
    /// at <c>offset + h * stride</c> of the backing (the guest's offset names the rectangle's first
    /// pixel in an image laid out like the host one), as QEMU and Linux agree.
    /// </summary>
    public GpuError TransferToHost2D(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out TransferToHost2DCommand command)) return GpuError.Unspecified;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        if (resource is not Resource2D image || image.Backing is not { } backing || !image.Contains(command.Rect))
            return GpuError.InvalidParameter;
        var rect = command.Rect;
        if (rect.Width == 0 || rect.Height == 0) return GpuError.None;

        ulong stride = (ulong)image.Stride;
        ulong rowBytes = (ulong)rect.Width * Resource2D.BytesPerPixel;
        ulong lastRowStart = (ulong)(rect.Height - 1) * stride;
        if (command.Offset > backing.Length || lastRowStart + rowBytes > backing.Length - command.Offset)
            return GpuError.InvalidParameter;

        var pixels = image.WritablePixels;
        int firstPixel = (int)(rect.Y * stride + rect.X * Resource2D.BytesPerPixel);
        if (rect.Width == image.Width)
        {
            // Whole rows: one run in the backing and one in the image, so one copy.
            int length = (int)(rect.Height * stride);
            return backing.TryRead(guestMemory, command.Offset, pixels.Slice(firstPixel, length))
                ? GpuError.None : GpuError.InvalidParameter;
        }
        for (uint row = 0; row < rect.Height; row++)
        {
            var destination = pixels.Slice(firstPixel + (int)(row * stride), (int)rowBytes);
            if (!backing.TryRead(guestMemory, command.Offset + row * stride, destination)) return GpuError.InvalidParameter;
        }
        return GpuError.None;
    }

    public CommandResult AssignUuid(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out ResourceAssignUuidCommand command)) return GpuError.Unspecified;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        resource.Uuid ??= Guid.NewGuid();
        ref var answer = ref MemoryMarshal.AsRef<ResourceUuidResponse>(response);
        answer = default;
        // RFC 4122 byte order: what the other virtio device, and the guest, will compare.
        resource.Uuid.Value.TryWriteBytes(answer.Uuid, bigEndian: true, out _);
        return CommandResult.WithPayload<ResourceUuidResponse>(CommandType.OkResourceUuid);
    }

    public GpuError Unref(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceUnrefCommand command)) return GpuError.Unspecified;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        Destroy(resource);
        return GpuError.None;
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

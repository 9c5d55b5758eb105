using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// The 2D resource commands (create, backing, transfer) and those every resource shares: UNREF and
/// ASSIGN_UUID.
/// </summary>
internal sealed class ResourceCommands(
    ResourceTable resources,
    HostMemoryBudget budget,
    DeviceLimits limits,
    SwitchableGuestMemory guestMemory,
    ContextTable contexts,
    DisplayCommands display,
    BlobCommands blobs)
{
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
        // A blob's pages are fixed when it is created; a 2D resource takes one backing at a time.
        if (resource is not Resource2D || resource.Backing is not null) return GpuError.InvalidParameter;
        error = GuestBacking.TryCreate(entries, out var backing);
        if (error != GpuError.None) return error;
        if (!budget.TryCharge(backing!.HostBytes)) return GpuError.OutOfMemory;
        resource.Backing = backing;
        resource.ChargedHostBytes += backing.HostBytes;
        return GpuError.None;
    }

    public GpuError DetachBacking(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceDetachBackingCommand command)) return GpuError.Unspecified;
        if (!resources.TryGet(command.ResourceId, out var resource)) return GpuError.InvalidResourceId;
        if (resource is not Resource2D || resource.Backing is not { } backing) return GpuError.InvalidParameter;
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
    /// mapping, the contexts, the scanouts and cursor; then its host memory and budget.
    /// </summary>
    public void Destroy(GpuResource resource)
    {
        if (resource is BlobResource blob) blobs.UnmapIfMapped(blob);
        contexts.DetachEverywhere(resource);
        display.ForgetResource(resource.Id);
        resources.Remove(resource);
        budget.Refund(resource.ChargedHostBytes);
        resource.Release();
    }
}

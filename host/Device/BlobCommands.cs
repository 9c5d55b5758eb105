using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Host.Device;

/// <summary>
/// RESOURCE_CREATE_BLOB, RESOURCE_MAP_BLOB and RESOURCE_UNMAP_BLOB. Host memory for HOST3D blobs
/// comes from the context named in the header (PROTOCOL.md B.7); mapping puts it into the
/// host-visible window at the offset the guest chose.
/// </summary>
internal sealed class BlobCommands(
    ResourceTable resources,
    ContextTable contexts,
    HostMemoryBudget budget,
    HostFdBudget fds,
    DeviceLimits limits,
    HostWindowMappings mappings,
    ILogger logger)
{
    private const BlobFlags KnownFlags = BlobFlags.UseMappable | BlobFlags.UseShareable | BlobFlags.UseCrossDevice;

    public CommandResult Create(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceCreateBlobCommand command)) return DeviceRefusal.RequestTooShort;
        var refusal = RequestReader.TryReadEntries<ResourceCreateBlobCommand>(request, command.EntryCount,
            limits.MaxBackingEntries, out var entries);
        if (refusal != DeviceRefusal.None) return refusal;
        if (!resources.IsFreeId(command.ResourceId)) return DeviceRefusal.ResourceIdInUse;
        if ((command.BlobFlags & ~KnownFlags) != 0 || command.Size == 0 || command.Size % BlobResource.PageSize != 0)
            return DeviceRefusal.BadBlobFlagsOrSize;

        bool hasHostMemory = command.BlobMemory is BlobMemory.Host3D or BlobMemory.Host3DGuest;
        bool hasGuestPages = command.BlobMemory is BlobMemory.Guest or BlobMemory.Host3DGuest;
        if (!hasHostMemory && !hasGuestPages) return DeviceRefusal.UnknownBlobMemory;
        if (hasGuestPages != (command.EntryCount != 0)) return DeviceRefusal.GuestPagesDoNotMatchMemory;
        ContextEntry? owner = null;
        if (hasHostMemory && !contexts.TryGet(command.Header.ContextId, out owner)) return DeviceRefusal.NoSuchContext;

        GuestBacking? backing = null;
        if (hasGuestPages)
        {
            refusal = GuestBacking.TryCreate(entries, out backing);
            if (refusal != DeviceRefusal.None) return refusal;
            if (backing!.Length < command.Size) return DeviceRefusal.BackingTooSmall;
        }

        ulong charge = (backing?.HostBytes ?? 0) + (hasHostMemory ? command.Size : 0);
        if (resources.IsFull) return DeviceRefusal.TooManyResources;
        if (!budget.TryCharge(charge)) return DeviceRefusal.HostMemoryExhausted;
        // Host memory is always one fd (HostBlob.Handle), counted before the context makes it.
        int fdCharge = hasHostMemory ? 1 : 0;
        if (!fds.TryTake(fdCharge))
        {
            budget.Refund(charge);
            DeviceLog.OutOfHostFds(logger, CommandType.ResourceCreateBlob, command.Header.ContextId, fds.Limit);
            return DeviceRefusal.HostFdsExhausted;
        }
        HostBlob? hostMemory = null;
        if (owner is not null)
        {
            var created = CreateHostMemory(owner, command, backing, out hostMemory);
            if (created != CommandResult.NoData)
            {
                budget.Refund(charge);
                fds.Return(fdCharge);
                return created;
            }
        }
        var blob = new BlobResource(command.ResourceId, command.BlobMemory, command.BlobFlags, command.BlobId,
            command.Size, backing, hostMemory)
        {
            ChargedHostBytes = charge,
            ChargedHostFds = fdCharge,
        };
        resources.Add(blob);
        return CommandResult.NoData;
    }

    public CommandResult Map(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out ResourceMapBlobCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        if (resource is not BlobResource { IsMappable: true, HostMemory: { } hostMemory } blob || blob.Mapping is not null)
            return DeviceRefusal.BlobNotMappable;
        var range = new WindowRange(command.Offset, blob.Size);
        if (command.Offset % BlobResource.PageSize != 0 || !mappings.IsFree(range)) return DeviceRefusal.WindowRangeNotFree;

        ulong mappedLength = blob.HostBytesInWindow;
        if (mappedLength == 0 || !mappings.Window.TryMap(hostMemory.Handle, 0, range.Offset, mappedLength, hostMemory.IsWritable))
        {
            DeviceLog.MapFailed(logger, blob.Id, range.Offset, mappedLength);
            return DeviceRefusal.MapFailed;
        }
        blob.Mapping = range;
        mappings.Add(range);

        ref var answer = ref MemoryMarshal.AsRef<MapInfoResponse>(response);
        answer = default;
        // Only the cache bits: Linux compares the whole word to choose the guest page protection.
        answer.MapInfo = (MapCacheType)((uint)hostMemory.CacheType & MapInfoBits.CacheMask);
        return CommandResult.WithPayload<MapInfoResponse>(CommandType.OkMapInfo);
    }

    public CommandResult Unmap(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceUnmapBlobCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        if (resource is not BlobResource { Mapping: not null } blob) return DeviceRefusal.BlobNotMapped;
        return UnmapIfMapped(blob) ? CommandResult.NoData : DeviceRefusal.UnmapFailed;
    }

    /// <summary>
    /// Takes the blob out of the window. A failed unmap keeps the range recorded as mapped: the
    /// front-end may still have the memory there, so the range must never be handed out again
    /// (a later UNMAP tries again; after UNREF it simply stays reserved).
    /// </summary>
    public bool UnmapIfMapped(BlobResource blob)
    {
        if (blob.Mapping is not { } mapped) return true;
        // A device torn down after its front-end left (the usual end of a session) has no window to unmap from.
        if (mappings.Window.HasFrontEnd && !mappings.Window.TryUnmap(mapped.Offset, blob.HostBytesInWindow))
        {
            DeviceLog.UnmapFailed(logger, blob.Id, mapped.Offset, blob.HostBytesInWindow);
            return false;
        }
        mappings.Remove(mapped);
        blob.Mapping = null;
        return true;
    }

    private CommandResult CreateHostMemory(ContextEntry owner, in ResourceCreateBlobCommand command, GuestBacking? backing,
        out HostBlob? hostMemory)
    {
        var blobRequest = new HostBlobRequest(command.ResourceId, command.BlobMemory, command.BlobFlags,
            command.BlobId, command.Size, backing);
        var error = owner.Context.CreateBlob(blobRequest, out hostMemory);
        if (error != GpuError.None)
        {
            hostMemory?.Dispose();
            hostMemory = null;
            return CommandResult.FromContext(error);
        }
        if (hostMemory is null || hostMemory.Handle.IsInvalid || hostMemory.Handle.IsClosed)
        {
            DeviceLog.ContextMadeInvalidBlob(logger, owner.Id, command.ResourceId);
            hostMemory?.Dispose();
            hostMemory = null;
            return DeviceRefusal.ContextMadeInvalidBlob;
        }
        return CommandResult.NoData;
    }
}

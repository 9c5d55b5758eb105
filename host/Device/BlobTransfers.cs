using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Memory;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// How a HOST3D_GUEST blob's host memory and its guest pages are both laid out, so that a
/// TRANSFER_*_3D box names the same bytes in each: one plane of a linear image, <see cref="Width"/>
/// × <see cref="Height"/> texels of <see cref="BytesPerTexel"/> bytes, rows <see cref="Stride"/>
/// bytes apart from <see cref="Offset"/>. Plain memory is one row of bytes.
/// </summary>
public readonly record struct BlobImageLayout(ulong Offset, uint Stride, uint BytesPerTexel, uint Width, uint Height)
{
    /// <summary>Memory with no image in it (a keymap): a box's x and width count bytes.</summary>
    public static BlobImageLayout Bytes(uint length) => new(0, length, 1, length, 1);

    /// <summary>The bytes the layout spans from the start of the memory, computed without overflow.</summary>
    public UInt128 End => Height == 0 ? Offset : Offset + (UInt128)(Height - 1) * Stride + (UInt128)Width * BytesPerTexel;
}

/// <summary>
/// TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D on blobs whose context gave them a
/// <see cref="HostBlob.TransferLayout"/>: a box is copied row by row between the guest pages and
/// the host memory, which the host maps on the first transfer. This is how a guest without
/// host-visible memory gets pixels to the compositor: it cannot map host memory, but it can fill
/// its own pages and have the damaged boxes copied, which Linux allows for HOST3D_GUEST blobs only
/// (it refuses transfers on GUEST blobs).
/// </summary>
internal static class BlobTransfers
{
    public static CommandResult Transfer(BlobResource blob, in TransferHost3DCommand command, TransferDirection direction,
        IGuestMemory guestMemory)
    {
        if (blob.HostMemory is not { TransferLayout: { } layout } hostMemory || blob.Backing is not { } backing)
            return DeviceRefusal.WrongResourceKind;
        var box = command.Box;
        if (command.Level != 0 || box.Z != 0 || box.Depth > 1
            || (ulong)box.X + box.Width > layout.Width || (ulong)box.Y + box.Height > layout.Height)
            return DeviceRefusal.OutsideResource;
        // Both memories share the layout, so nothing but the box may say where the bytes are.
        if (command.Offset != 0 || (command.Stride != 0 && command.Stride != layout.Stride) || command.LayerStride != 0)
            return DeviceRefusal.TransferLayoutMismatch;
        if (box.Width == 0 || box.Height == 0 || box.Depth == 0) return CommandResult.NoData;
        if (layout.End > Math.Min(backing.Length, hostMemory.Size)) return DeviceRefusal.BackingTooSmall;

        var mapping = hostMemory.Mapping();
        if (mapping is null) return DeviceRefusal.MapFailed;
        ulong first = layout.Offset + (ulong)box.Y * layout.Stride + (ulong)box.X * layout.BytesPerTexel;
        int rowBytes = (int)(box.Width * layout.BytesPerTexel);
        // Whole rows are one run in both memories: one copy.
        bool oneRun = box.Width == layout.Width && (ulong)rowBytes == layout.Stride;
        int runs = oneRun ? 1 : (int)box.Height;
        int runBytes = oneRun ? rowBytes * (int)box.Height : rowBytes;
        for (int run = 0; run < runs; run++)
        {
            ulong offset = first + (ulong)run * layout.Stride;
            var host = mapping.GetSpan((long)offset, runBytes);
            bool copied = direction == TransferDirection.ToHost
                ? backing.TryRead(guestMemory, offset, host)
                : backing.TryWrite(guestMemory, offset, host);
            if (!copied) return DeviceRefusal.GuestMemoryUnreadable;
        }
        return CommandResult.NoData;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Device;

/// <summary>Control and cursor requests as the guest driver lays them out: the command struct, then its payload.</summary>
internal static class GpuRequests
{
    public static ControlHeader Header(CommandType type, uint contextId = 0) => new() { Type = type, ContextId = contextId };

    public static byte[] Encode<TCommand>(in TCommand command, ReadOnlySpan<byte> payload = default) where TCommand : unmanaged
    {
        var bytes = new byte[Unsafe.SizeOf<TCommand>() + payload.Length];
        MemoryMarshal.Write(bytes, in command);
        payload.CopyTo(bytes.AsSpan(Unsafe.SizeOf<TCommand>()));
        return bytes;
    }

    /// <summary>
    /// The same request with FLAG_FENCE and <paramref name="fenceId"/>; with a ring index also
    /// FLAG_INFO_RING_IDX, putting the fence on that ring of the header's context.
    /// </summary>
    public static byte[] Fenced(byte[] request, ulong fenceId, byte? ringIndex = null)
    {
        var copy = (byte[])request.Clone();
        ref var header = ref MemoryMarshal.AsRef<ControlHeader>(copy.AsSpan());
        header.Flags |= ControlHeaderFlags.Fence;
        header.FenceId = fenceId;
        if (ringIndex is { } ring)
        {
            header.Flags |= ControlHeaderFlags.InfoRingIndex;
            header.RingIndex = ring;
        }
        return copy;
    }

    /// <summary>The same request with <paramref name="contextId"/> in its header.</summary>
    public static byte[] ForContext(byte[] request, uint contextId)
    {
        var copy = (byte[])request.Clone();
        MemoryMarshal.AsRef<ControlHeader>(copy.AsSpan()).ContextId = contextId;
        return copy;
    }

    public static byte[] Entries(params MemoryEntry[] entries) => MemoryMarshal.AsBytes(entries.AsSpan()).ToArray();

    public static MemoryEntry Entry(ulong address, uint length) => new() { Address = address, Length = length };

    public static Rect Rect(uint x, uint y, uint width, uint height) => new() { X = x, Y = y, Width = width, Height = height };

    public static byte[] GetDisplayInfo() => Encode(Header(CommandType.GetDisplayInfo));

    public static byte[] GetEdid(uint scanoutId) =>
        Encode(new GetEdidCommand { Header = Header(CommandType.GetEdid), ScanoutId = scanoutId });

    public static byte[] GetCapsetInfo(uint index) =>
        Encode(new GetCapsetInfoCommand { Header = Header(CommandType.GetCapsetInfo), CapsetIndex = index });

    public static byte[] GetCapset(CapsetId capsetId, uint version) =>
        Encode(new GetCapsetCommand { Header = Header(CommandType.GetCapset), CapsetId = capsetId, CapsetVersion = version });

    public static byte[] Create2D(uint resourceId, uint width, uint height, VirtioGpuFormat format = VirtioGpuFormat.B8G8R8X8Unorm) =>
        Encode(new ResourceCreate2DCommand
        {
            Header = Header(CommandType.ResourceCreate2D),
            ResourceId = resourceId,
            Format = format,
            Width = width,
            Height = height,
        });

    public static byte[] Unref(uint resourceId) =>
        Encode(new ResourceUnrefCommand { Header = Header(CommandType.ResourceUnref), ResourceId = resourceId });

    public static byte[] AttachBacking(uint resourceId, params MemoryEntry[] entries) =>
        AttachBacking(resourceId, (uint)entries.Length, Entries(entries));

    /// <summary>With a count that need not match the entries sent, for malformed requests.</summary>
    public static byte[] AttachBacking(uint resourceId, uint entryCount, byte[] entryBytes) =>
        Encode(new ResourceAttachBackingCommand
        {
            Header = Header(CommandType.ResourceAttachBacking),
            ResourceId = resourceId,
            EntryCount = entryCount,
        }, entryBytes);

    public static byte[] DetachBacking(uint resourceId) =>
        Encode(new ResourceDetachBackingCommand { Header = Header(CommandType.ResourceDetachBacking), ResourceId = resourceId });

    public static byte[] TransferToHost2D(uint resourceId, Rect rect, ulong offset) =>
        Encode(new TransferToHost2DCommand
        {
            Header = Header(CommandType.TransferToHost2D),
            Rect = rect,
            Offset = offset,
            ResourceId = resourceId,
        });

    public static byte[] SetScanout(uint scanoutId, uint resourceId, Rect rect) =>
        Encode(new SetScanoutCommand { Header = Header(CommandType.SetScanout), ScanoutId = scanoutId, ResourceId = resourceId, Rect = rect });

    public static byte[] Flush(uint resourceId, Rect rect) =>
        Encode(new ResourceFlushCommand { Header = Header(CommandType.ResourceFlush), ResourceId = resourceId, Rect = rect });

    public static byte[] AssignUuid(uint resourceId) =>
        Encode(new ResourceAssignUuidCommand { Header = Header(CommandType.ResourceAssignUuid), ResourceId = resourceId });

    public static byte[] CreateBlob(uint resourceId, BlobMemory memory, BlobFlags flags, ulong size,
        uint contextId = 0, ulong blobId = 0, params MemoryEntry[] entries) =>
        CreateBlob(resourceId, memory, flags, size, contextId, blobId, (uint)entries.Length, Entries(entries));

    public static byte[] CreateBlob(uint resourceId, BlobMemory memory, BlobFlags flags, ulong size,
        uint contextId, ulong blobId, uint entryCount, byte[] entryBytes) =>
        Encode(new ResourceCreateBlobCommand
        {
            Header = Header(CommandType.ResourceCreateBlob, contextId),
            ResourceId = resourceId,
            BlobMemory = memory,
            BlobFlags = flags,
            EntryCount = entryCount,
            BlobId = blobId,
            Size = size,
        }, entryBytes);

    public static byte[] MapBlob(uint resourceId, ulong offset) =>
        Encode(new ResourceMapBlobCommand { Header = Header(CommandType.ResourceMapBlob), ResourceId = resourceId, Offset = offset });

    public static byte[] UnmapBlob(uint resourceId) =>
        Encode(new ResourceUnmapBlobCommand { Header = Header(CommandType.ResourceUnmapBlob), ResourceId = resourceId });

    public static byte[] CreateContext(uint contextId, uint contextInit, string debugName = "test")
    {
        var command = new ContextCreateCommand
        {
            Header = Header(CommandType.ContextCreate, contextId),
            NameLength = (uint)debugName.Length,
            ContextInit = contextInit,
        };
        for (int i = 0; i < debugName.Length; i++) command.DebugName[i] = (byte)debugName[i];
        return Encode(command);
    }

    public static byte[] DestroyContext(uint contextId) =>
        Encode(new ContextDestroyCommand { Header = Header(CommandType.ContextDestroy, contextId) });

    public static byte[] AttachResource(uint contextId, uint resourceId) =>
        Encode(new ContextResourceCommand { Header = Header(CommandType.ContextAttachResource, contextId), ResourceId = resourceId });

    public static byte[] DetachResource(uint contextId, uint resourceId) =>
        Encode(new ContextResourceCommand { Header = Header(CommandType.ContextDetachResource, contextId), ResourceId = resourceId });

    public static byte[] Submit(uint contextId, byte[] commands) =>
        Encode(new Submit3DCommand { Header = Header(CommandType.Submit3D, contextId), Size = (uint)commands.Length }, commands);

    /// <summary>A SUBMIT_3D whose size field claims <paramref name="claimedSize"/> bytes, whatever follows.</summary>
    public static byte[] Submit(uint contextId, uint claimedSize, byte[] commands) =>
        Encode(new Submit3DCommand { Header = Header(CommandType.Submit3D, contextId), Size = claimedSize }, commands);

    public static byte[] UpdateCursor(uint scanoutId, uint x, uint y, uint resourceId, uint hotX = 0, uint hotY = 0) =>
        Encode(new UpdateCursorCommand
        {
            Header = Header(CommandType.UpdateCursor),
            Position = new CursorPosition { ScanoutId = scanoutId, X = x, Y = y },
            ResourceId = resourceId,
            HotX = hotX,
            HotY = hotY,
        });

    public static byte[] MoveCursor(uint scanoutId, uint x, uint y) =>
        Encode(new UpdateCursorCommand
        {
            Header = Header(CommandType.MoveCursor),
            Position = new CursorPosition { ScanoutId = scanoutId, X = x, Y = y },
        });
}

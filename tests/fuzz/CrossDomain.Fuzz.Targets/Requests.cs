using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Fuzz.Targets;

/// <summary>Well-formed control requests, for the fixed set-up of an input and for seeds (cross-domain commands: <see cref="CrossDomainCommands"/>).</summary>
public static class Requests
{
    public static byte[] Bytes<T>(in T value, ReadOnlySpan<byte> trailing = default) where T : unmanaged
    {
        var bytes = new byte[Unsafe.SizeOf<T>() + trailing.Length];
        MemoryMarshal.Write(bytes, in value);
        trailing.CopyTo(bytes.AsSpan(Unsafe.SizeOf<T>()));
        return bytes;
    }

    public static ControlHeader Header(CommandType type, uint contextId = 0) => new() { Type = type, ContextId = contextId };

    public static byte[] Fenced(byte[] request, ulong fenceId, byte ringIndex)
    {
        var copy = (byte[])request.Clone();
        ref var header = ref MemoryMarshal.AsRef<ControlHeader>(copy.AsSpan());
        header.Flags |= ControlHeaderFlags.Fence | ControlHeaderFlags.InfoRingIndex;
        header.FenceId = fenceId;
        header.RingIndex = ringIndex;
        return copy;
    }

    public static byte[] CreateContext(uint contextId, CapsetId capset)
    {
        var command = new ContextCreateCommand { Header = Header(CommandType.ContextCreate, contextId), ContextInit = (uint)capset, NameLength = 4 };
        "fuzz"u8.CopyTo(command.DebugName);
        return Bytes(command);
    }

    public static byte[] DestroyContext(uint contextId) => Bytes(new ContextDestroyCommand { Header = Header(CommandType.ContextDestroy, contextId) });

    public static byte[] GuestBlob(uint resourceId, ulong address, uint size) =>
        Bytes(new ResourceCreateBlobCommand
        {
            Header = Header(CommandType.ResourceCreateBlob),
            ResourceId = resourceId,
            BlobMemory = BlobMemory.Guest,
            BlobFlags = BlobFlags.UseMappable,
            EntryCount = 1,
            Size = size,
        }, Bytes(new MemoryEntry { Address = address, Length = size }));

    public static byte[] HostBlob(uint contextId, uint resourceId, ulong blobId, ulong size) =>
        Bytes(new ResourceCreateBlobCommand
        {
            Header = Header(CommandType.ResourceCreateBlob, contextId),
            ResourceId = resourceId,
            BlobMemory = BlobMemory.Host3D,
            BlobFlags = BlobFlags.UseMappable | BlobFlags.UseShareable,
            BlobId = blobId,
            Size = size,
        });

    public static byte[] MapBlob(uint resourceId, ulong offset) =>
        Bytes(new ResourceMapBlobCommand { Header = Header(CommandType.ResourceMapBlob), ResourceId = resourceId, Offset = offset });

    public static byte[] UnmapBlob(uint resourceId) =>
        Bytes(new ResourceUnmapBlobCommand { Header = Header(CommandType.ResourceUnmapBlob), ResourceId = resourceId });

    public static byte[] Attach(uint contextId, uint resourceId) =>
        Bytes(new ContextResourceCommand { Header = Header(CommandType.ContextAttachResource, contextId), ResourceId = resourceId });

    public static byte[] Submit(uint contextId, ReadOnlySpan<byte> commands) =>
        Bytes(new Submit3DCommand { Header = Header(CommandType.Submit3D, contextId), Size = (uint)commands.Length }, commands);

    public static byte[] Create2D(uint resourceId, uint width, uint height) =>
        Bytes(new ResourceCreate2DCommand
        {
            Header = Header(CommandType.ResourceCreate2D),
            ResourceId = resourceId,
            Format = VirtioGpuFormat.B8G8R8X8Unorm,
            Width = width,
            Height = height,
        });

    public static byte[] AttachBacking(uint resourceId, ulong address, uint length) =>
        Bytes(new ResourceAttachBackingCommand { Header = Header(CommandType.ResourceAttachBacking), ResourceId = resourceId, EntryCount = 1 },
            Bytes(new MemoryEntry { Address = address, Length = length }));

    public static byte[] TransferToHost2D(uint resourceId, uint width, uint height) =>
        Bytes(new TransferToHost2DCommand
        {
            Header = Header(CommandType.TransferToHost2D),
            Rect = new Rect { Width = width, Height = height },
            ResourceId = resourceId,
        });

    public static byte[] SetScanout(uint scanoutId, uint resourceId, uint width, uint height) =>
        Bytes(new SetScanoutCommand
        {
            Header = Header(CommandType.SetScanout),
            ScanoutId = scanoutId,
            ResourceId = resourceId,
            Rect = new Rect { Width = width, Height = height },
        });

    public static byte[] Flush(uint resourceId, uint width, uint height) =>
        Bytes(new ResourceFlushCommand { Header = Header(CommandType.ResourceFlush), ResourceId = resourceId, Rect = new Rect { Width = width, Height = height } });

    public static byte[] Unref(uint resourceId) => Bytes(new ResourceUnrefCommand { Header = Header(CommandType.ResourceUnref), ResourceId = resourceId });

    public static byte[] GetDisplayInfo() => Bytes(Header(CommandType.GetDisplayInfo));

    public static byte[] GetEdid(uint scanoutId) => Bytes(new GetEdidCommand { Header = Header(CommandType.GetEdid), ScanoutId = scanoutId });

    public static byte[] GetCapsetInfo(uint index) => Bytes(new GetCapsetInfoCommand { Header = Header(CommandType.GetCapsetInfo), CapsetIndex = index });

    public static byte[] GetCapset(CapsetId capset, uint version) =>
        Bytes(new GetCapsetCommand { Header = Header(CommandType.GetCapset), CapsetId = capset, CapsetVersion = version });

    public static byte[] AssignUuid(uint resourceId) =>
        Bytes(new ResourceAssignUuidCommand { Header = Header(CommandType.ResourceAssignUuid), ResourceId = resourceId });

    public static byte[] UpdateCursor(uint resourceId, uint x, uint y) =>
        Bytes(new UpdateCursorCommand { Header = Header(CommandType.UpdateCursor), Position = new CursorPosition { X = x, Y = y }, ResourceId = resourceId });
}

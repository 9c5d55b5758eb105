using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// The display side of the device: one scanout with a fixed mode, what it shows, flushes of it,
/// and the cursor. Enough for a stock guest console; presenting the pixels is the job of whoever
/// handles <see cref="Flushed"/>.
/// </summary>
internal sealed class DisplayCommands(uint width, uint height, ResourceTable resources)
{
    public const uint ScanoutCount = 1;

    private readonly ScanoutState[] _scanouts = new ScanoutState[ScanoutCount];

    public event ScanoutFlushedHandler? Flushed;

    public CursorState Cursor { get; private set; }

    public ScanoutState Scanout(uint scanoutId) => _scanouts[scanoutId];

    public CommandResult GetDisplayInfo(Span<byte> response)
    {
        ref var info = ref MemoryMarshal.AsRef<DisplayInfoResponse>(response);
        info = default;
        info.Modes[0] = new DisplayMode { Rect = new Rect { Width = width, Height = height }, Enabled = 1 };
        return CommandResult.WithPayload<DisplayInfoResponse>(CommandType.OkDisplayInfo);
    }

    public CommandResult GetEdid(ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (!RequestReader.TryRead(request, out GetEdidCommand command)) return DeviceRefusal.RequestTooShort;
        if (command.ScanoutId >= ScanoutCount) return DeviceRefusal.NoSuchScanout;
        ref var edid = ref MemoryMarshal.AsRef<EdidResponse>(response);
        edid = default;
        edid.Size = EdidGenerator.BlockSize;
        EdidGenerator.Write(edid.Edid, width, height);
        return CommandResult.WithPayload<EdidResponse>(CommandType.OkEdid);
    }

    public CommandResult SetScanout(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out SetScanoutCommand command)) return DeviceRefusal.RequestTooShort;
        if (command.ScanoutId >= ScanoutCount) return DeviceRefusal.NoSuchScanout;
        if (command.ResourceId == 0)
        {
            _scanouts[command.ScanoutId] = default;
            return CommandResult.NoData;
        }
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        // Blobs need SET_SCANOUT_BLOB, which says how to read them; an empty rect shows nothing.
        if (resource is not Resource2D image) return DeviceRefusal.WrongResourceKind;
        if (command.Rect.Width == 0 || command.Rect.Height == 0 || !image.Contains(command.Rect)) return DeviceRefusal.OutsideResource;
        _scanouts[command.ScanoutId] = new ScanoutState(command.ResourceId, command.Rect);
        return CommandResult.NoData;
    }

    public CommandResult ResourceFlush(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out ResourceFlushCommand command)) return DeviceRefusal.RequestTooShort;
        if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
        if (resource is not Resource2D image) return DeviceRefusal.WrongResourceKind;
        if (!image.Contains(command.Rect)) return DeviceRefusal.OutsideResource;
        for (uint scanoutId = 0; scanoutId < ScanoutCount; scanoutId++)
        {
            if (_scanouts[scanoutId].ResourceId == command.ResourceId) Flushed?.Invoke(scanoutId, image, command.Rect);
        }
        return CommandResult.NoData;
    }

    public DeviceRefusal UpdateCursor(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out UpdateCursorCommand command)) return DeviceRefusal.RequestTooShort;
        if (command.Position.ScanoutId >= ScanoutCount) return DeviceRefusal.NoSuchScanout;
        if (command.ResourceId != 0)
        {
            if (!resources.TryGet(command.ResourceId, out var resource)) return DeviceRefusal.NoSuchResource;
            if (resource is not Resource2D image) return DeviceRefusal.WrongResourceKind;
            if (command.HotX >= image.Width || command.HotY >= image.Height) return DeviceRefusal.HotSpotOutsideCursor;
        }
        Cursor = new CursorState(command.Position.ScanoutId, command.Position.X, command.Position.Y,
            command.ResourceId, command.HotX, command.HotY);
        return DeviceRefusal.None;
    }

    public DeviceRefusal MoveCursor(ReadOnlySpan<byte> request)
    {
        if (!RequestReader.TryRead(request, out UpdateCursorCommand command)) return DeviceRefusal.RequestTooShort;
        if (command.Position.ScanoutId >= ScanoutCount) return DeviceRefusal.NoSuchScanout;
        Cursor = Cursor with { ScanoutId = command.Position.ScanoutId, X = command.Position.X, Y = command.Position.Y };
        return DeviceRefusal.None;
    }

    /// <summary>A resource is being unreferenced: nothing may keep showing it.</summary>
    public void ForgetResource(uint resourceId)
    {
        for (int i = 0; i < _scanouts.Length; i++)
        {
            if (_scanouts[i].ResourceId == resourceId) _scanouts[i] = default;
        }
        if (Cursor.ResourceId == resourceId) Cursor = Cursor with { ResourceId = 0, HotX = 0, HotY = 0 };
    }
}

/// <summary>What a scanout shows: <see cref="Rect"/> of 2D resource <see cref="ResourceId"/>, or nothing (id 0).</summary>
internal readonly record struct ScanoutState(uint ResourceId, Rect Rect)
{
    public bool IsEnabled => ResourceId != 0;
}

/// <summary>The cursor as the cursor queue last set it; resource 0 means hidden.</summary>
internal readonly record struct CursorState(uint ScanoutId, uint X, uint Y, uint ResourceId, uint HotX, uint HotY);

/// <summary>
/// RESOURCE_FLUSH reached a scanout: <paramref name="rect"/> of <paramref name="resource"/> changed
/// and should be presented. Runs on the device's loop thread; the pixels are valid until the next
/// command for that resource.
/// </summary>
public delegate void ScanoutFlushedHandler(uint scanoutId, Resource2D resource, Rect rect);

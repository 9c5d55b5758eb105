using System.Runtime.CompilerServices;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>Sizes and offsets of the virtio-gpu control structs against PROTOCOL.md A.3–A.7.</summary>
public sealed class VirtioGpuStructLayoutTests : StructLayoutTests<VirtioGpuStructLayoutTests>, IStructLayoutTable
{
    public static IReadOnlyList<ExpectedLayout> Layouts { get; } =
    [
        new(typeof(ControlHeader), 24,
            ("Type", 0), ("Flags", 4), ("FenceId", 8), ("ContextId", 16), ("RingIndex", 20), ("Padding", 21)),
        new(typeof(Rect), 16, ("X", 0), ("Y", 4), ("Width", 8), ("Height", 12)),
        new(typeof(Box), 24, ("X", 0), ("Y", 4), ("Z", 8), ("Width", 12), ("Height", 16), ("Depth", 20)),
        new(typeof(MemoryEntry), 16, ("Address", 0), ("Length", 8), ("Padding", 12)),
        new(typeof(DeviceConfig), 16, ("EventsRead", 0), ("EventsClear", 4), ("ScanoutCount", 8), ("CapsetCount", 12)),

        new(typeof(DisplayMode), 24, ("Rect", 0), ("Enabled", 16), ("Flags", 20)),
        new(typeof(DisplayInfoResponse), 408, ("Header", 0), ("Modes", 24)),
        new(typeof(GetEdidCommand), 32, ("Header", 0), ("ScanoutId", 24), ("Padding", 28)),
        new(typeof(EdidResponse), 1056, ("Header", 0), ("Size", 24), ("Padding", 28), ("Edid", 32)),
        new(typeof(GetCapsetInfoCommand), 32, ("Header", 0), ("CapsetIndex", 24), ("Padding", 28)),
        new(typeof(CapsetInfoResponse), 40,
            ("Header", 0), ("CapsetId", 24), ("CapsetMaxVersion", 28), ("CapsetMaxSize", 32), ("Padding", 36)),
        new(typeof(GetCapsetCommand), 32, ("Header", 0), ("CapsetId", 24), ("CapsetVersion", 28)),

        new(typeof(ResourceCreate2DCommand), 40,
            ("Header", 0), ("ResourceId", 24), ("Format", 28), ("Width", 32), ("Height", 36)),
        new(typeof(ResourceUnrefCommand), 32, ("Header", 0), ("ResourceId", 24), ("Padding", 28)),
        new(typeof(SetScanoutCommand), 48, ("Header", 0), ("Rect", 24), ("ScanoutId", 40), ("ResourceId", 44)),
        new(typeof(ResourceFlushCommand), 48, ("Header", 0), ("Rect", 24), ("ResourceId", 40), ("Padding", 44)),
        new(typeof(TransferToHost2DCommand), 56,
            ("Header", 0), ("Rect", 24), ("Offset", 40), ("ResourceId", 48), ("Padding", 52)),
        new(typeof(ResourceAttachBackingCommand), 32, ("Header", 0), ("ResourceId", 24), ("EntryCount", 28)),
        new(typeof(ResourceDetachBackingCommand), 32, ("Header", 0), ("ResourceId", 24), ("Padding", 28)),
        new(typeof(ResourceAssignUuidCommand), 32, ("Header", 0), ("ResourceId", 24), ("Padding", 28)),
        new(typeof(ResourceUuidResponse), 40, ("Header", 0), ("Uuid", 24)),

        new(typeof(ResourceCreateBlobCommand), 56,
            ("Header", 0), ("ResourceId", 24), ("BlobMemory", 28), ("BlobFlags", 32), ("EntryCount", 36),
            ("BlobId", 40), ("Size", 48)),
        new(typeof(SetScanoutBlobCommand), 96,
            ("Header", 0), ("Rect", 24), ("ScanoutId", 40), ("ResourceId", 44), ("Width", 48), ("Height", 52),
            ("Format", 56), ("Padding", 60), ("Strides", 64), ("Offsets", 80)),
        new(typeof(ResourceMapBlobCommand), 40, ("Header", 0), ("ResourceId", 24), ("Padding", 28), ("Offset", 32)),
        new(typeof(MapInfoResponse), 32, ("Header", 0), ("MapInfo", 24), ("Padding", 28)),
        new(typeof(ResourceUnmapBlobCommand), 32, ("Header", 0), ("ResourceId", 24), ("Padding", 28)),

        new(typeof(ContextCreateCommand), 96, ("Header", 0), ("NameLength", 24), ("ContextInit", 28), ("DebugName", 32)),
        new(typeof(ContextDestroyCommand), 24, ("Header", 0)),
        new(typeof(ContextResourceCommand), 32, ("Header", 0), ("ResourceId", 24), ("Padding", 28)),
        new(typeof(ResourceCreate3DCommand), 72, ("Header", 0), ("ResourceId", 24), ("Description", 28), ("Padding", 68)),
        new(typeof(Resource3DDescription), 40,
            ("Target", 0), ("Format", 4), ("Bind", 8), ("Width", 12), ("Height", 16), ("Depth", 20), ("ArraySize", 24),
            ("LastLevel", 28), ("SampleCount", 32), ("Flags", 36)),
        new(typeof(TransferHost3DCommand), 72,
            ("Header", 0), ("Box", 24), ("Offset", 48), ("ResourceId", 56), ("Level", 60), ("Stride", 64),
            ("LayerStride", 68)),
        new(typeof(Submit3DCommand), 32, ("Header", 0), ("Size", 24), ("Padding", 28)),

        new(typeof(CursorPosition), 16, ("ScanoutId", 0), ("X", 4), ("Y", 8), ("Padding", 12)),
        new(typeof(UpdateCursorCommand), 56,
            ("Header", 0), ("Position", 24), ("ResourceId", 40), ("HotX", 44), ("HotY", 48), ("Padding", 52)),
    ];

    [Fact]
    public void Display_mode_i_starts_at_24_plus_24_i()
    {
        var response = default(DisplayInfoResponse);
        for (int i = 0; i < VirtioGpuLimits.MaxScanouts; i++)
        {
            var offset = Unsafe.ByteOffset(
                ref Unsafe.As<DisplayInfoResponse, byte>(ref response),
                ref Unsafe.As<DisplayMode, byte>(ref response.Modes[i]));
            Assert.Equal(24 + 24 * i, (int)offset);
        }
    }

    [Fact]
    public void Fixed_arrays_have_the_protocol_lengths()
    {
        var setScanoutBlob = default(SetScanoutBlobCommand);
        var contextCreate = default(ContextCreateCommand);
        var edid = default(EdidResponse);
        var uuid = default(ResourceUuidResponse);

        Assert.Equal(4, ((Span<uint>)setScanoutBlob.Strides).Length);
        Assert.Equal(4, ((Span<uint>)setScanoutBlob.Offsets).Length);
        Assert.Equal(VirtioGpuLimits.DebugNameSize, ((Span<byte>)contextCreate.DebugName).Length);
        Assert.Equal(VirtioGpuLimits.EdidMaxSize, ((Span<byte>)edid.Edid).Length);
        Assert.Equal(16, ((Span<byte>)uuid.Uuid).Length);
    }

    [Fact]
    public void Control_header_round_trips_through_little_endian_bytes()
    {
        var header = new ControlHeader
        {
            Type = CommandType.Submit3D,
            Flags = ControlHeaderFlags.Fence | ControlHeaderFlags.InfoRingIndex,
            FenceId = 0x0102_0304_0506_0708,
            ContextId = 7,
            RingIndex = 1,
        };
        const string Wire = "07020000 03000000 0807060504030201 07000000 01 000000";

        Assert.Equal(WireBytes.Normalize(Wire), WireBytes.ToHex(header));

        var read = WireBytes.FromHex<ControlHeader>(Wire);
        Assert.Equal(CommandType.Submit3D, read.Type);
        Assert.Equal(ControlHeaderFlags.Fence | ControlHeaderFlags.InfoRingIndex, read.Flags);
        Assert.Equal(0x0102_0304_0506_0708UL, read.FenceId);
        Assert.Equal(7u, read.ContextId);
        Assert.Equal(1, read.RingIndex);
    }

    [Fact]
    public void Resource_create_blob_round_trips_through_little_endian_bytes()
    {
        var command = new ResourceCreateBlobCommand
        {
            Header = new ControlHeader { Type = CommandType.ResourceCreateBlob, ContextId = 3 },
            ResourceId = 0x11,
            BlobMemory = BlobMemory.Host3D,
            BlobFlags = BlobFlags.UseMappable | BlobFlags.UseShareable,
            EntryCount = 0,
            BlobId = 0x42,
            Size = 0x1_0000_2000,
        };
        const string Wire =
            "0c010000 00000000 0000000000000000 03000000 00 000000" +
            "11000000 02000000 03000000 00000000 4200000000000000 0020000001000000";

        Assert.Equal(WireBytes.Normalize(Wire), WireBytes.ToHex(command));

        var read = WireBytes.FromHex<ResourceCreateBlobCommand>(Wire);
        Assert.Equal(CommandType.ResourceCreateBlob, read.Header.Type);
        Assert.Equal(3u, read.Header.ContextId);
        Assert.Equal(BlobMemory.Host3D, read.BlobMemory);
        Assert.Equal(BlobFlags.UseMappable | BlobFlags.UseShareable, read.BlobFlags);
        Assert.Equal(0x42UL, read.BlobId);
        Assert.Equal(0x1_0000_2000UL, read.Size);
    }

    [Theory]
    [InlineData(CommandType.GetDisplayInfo, 0x0100)]
    [InlineData(CommandType.ResourceCreate2D, 0x0101)]
    [InlineData(CommandType.ResourceUnref, 0x0102)]
    [InlineData(CommandType.SetScanout, 0x0103)]
    [InlineData(CommandType.ResourceFlush, 0x0104)]
    [InlineData(CommandType.TransferToHost2D, 0x0105)]
    [InlineData(CommandType.ResourceAttachBacking, 0x0106)]
    [InlineData(CommandType.ResourceDetachBacking, 0x0107)]
    [InlineData(CommandType.GetCapsetInfo, 0x0108)]
    [InlineData(CommandType.GetCapset, 0x0109)]
    [InlineData(CommandType.GetEdid, 0x010a)]
    [InlineData(CommandType.ResourceAssignUuid, 0x010b)]
    [InlineData(CommandType.ResourceCreateBlob, 0x010c)]
    [InlineData(CommandType.SetScanoutBlob, 0x010d)]
    [InlineData(CommandType.ContextCreate, 0x0200)]
    [InlineData(CommandType.ContextDestroy, 0x0201)]
    [InlineData(CommandType.ContextAttachResource, 0x0202)]
    [InlineData(CommandType.ContextDetachResource, 0x0203)]
    [InlineData(CommandType.ResourceCreate3D, 0x0204)]
    [InlineData(CommandType.TransferToHost3D, 0x0205)]
    [InlineData(CommandType.TransferFromHost3D, 0x0206)]
    [InlineData(CommandType.Submit3D, 0x0207)]
    [InlineData(CommandType.ResourceMapBlob, 0x0208)]
    [InlineData(CommandType.ResourceUnmapBlob, 0x0209)]
    [InlineData(CommandType.UpdateCursor, 0x0300)]
    [InlineData(CommandType.MoveCursor, 0x0301)]
    [InlineData(CommandType.OkNoData, 0x1100)]
    [InlineData(CommandType.OkDisplayInfo, 0x1101)]
    [InlineData(CommandType.OkCapsetInfo, 0x1102)]
    [InlineData(CommandType.OkCapset, 0x1103)]
    [InlineData(CommandType.OkEdid, 0x1104)]
    [InlineData(CommandType.OkResourceUuid, 0x1105)]
    [InlineData(CommandType.OkMapInfo, 0x1106)]
    [InlineData(CommandType.OkResourcePlaneInfo, 0x11ff)]
    [InlineData(CommandType.ErrorUnspecified, 0x1200)]
    [InlineData(CommandType.ErrorOutOfMemory, 0x1201)]
    [InlineData(CommandType.ErrorInvalidScanoutId, 0x1202)]
    [InlineData(CommandType.ErrorInvalidResourceId, 0x1203)]
    [InlineData(CommandType.ErrorInvalidContextId, 0x1204)]
    [InlineData(CommandType.ErrorInvalidParameter, 0x1205)]
    public void Command_and_response_codes_match_the_protocol(CommandType type, uint code) =>
        Assert.Equal(code, (uint)type);

    [Fact]
    public void Feature_bits_match_the_protocol()
    {
        Assert.Equal(1UL << 0, (ulong)VirtioGpuFeatures.Virgl);
        Assert.Equal(1UL << 1, (ulong)VirtioGpuFeatures.Edid);
        Assert.Equal(1UL << 2, (ulong)VirtioGpuFeatures.ResourceUuid);
        Assert.Equal(1UL << 3, (ulong)VirtioGpuFeatures.ResourceBlob);
        Assert.Equal(1UL << 4, (ulong)VirtioGpuFeatures.ContextInit);
        Assert.Equal(1UL << 5, (ulong)VirtioGpuFeatures.BlobAlignment);
        Assert.Equal(1UL << 28, (ulong)VirtioGpuFeatures.RingIndirectDescriptors);
        Assert.Equal(1UL << 29, (ulong)VirtioGpuFeatures.RingEventIndex);
        Assert.Equal(1UL << 32, (ulong)VirtioGpuFeatures.Version1);
    }

    [Fact]
    public void Other_constants_match_the_protocol()
    {
        Assert.Equal(1u, (uint)ControlHeaderFlags.Fence);
        Assert.Equal(2u, (uint)ControlHeaderFlags.InfoRingIndex);
        Assert.Equal(1u, (uint)DeviceEvents.Display);
        Assert.Equal(16, DeviceConfig.BlobAlignmentOffset);
        Assert.Equal(16, VirtioGpuLimits.MaxScanouts);
        Assert.Equal(0xffu, ContextCreateCommand.CapsetIdMask);
        Assert.Equal(1u, ResourceCreate3DCommand.FlagY0Top);
        Assert.Equal(1, (byte)SharedMemoryId.HostVisible);

        Assert.Equal(new[] { 1u, 2u, 3u }, new[] { (uint)BlobMemory.Guest, (uint)BlobMemory.Host3D, (uint)BlobMemory.Host3DGuest });
        Assert.Equal(
            new[] { 0x1u, 0x2u, 0x4u, 0x8u },
            new[] { (uint)BlobFlags.UseMappable, (uint)BlobFlags.UseShareable, (uint)BlobFlags.UseCrossDevice, (uint)BlobFlags.CreateGuestHandle });
        Assert.Equal(
            new[] { 0x0u, 0x1u, 0x2u, 0x3u },
            new[] { (uint)MapCacheType.None, (uint)MapCacheType.Cached, (uint)MapCacheType.Uncached, (uint)MapCacheType.WriteCombined });
        Assert.Equal(0x0fu, MapInfoBits.CacheMask);
        Assert.Equal(0x30u, MapInfoBits.AccessReadWrite);

        Assert.Equal(
            new[] { 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u },
            Enum.GetValues<CapsetId>().Select(id => (uint)id));
        Assert.Equal(5u, (uint)CapsetId.CrossDomain);
        Assert.Equal(
            new[] { 1u, 2u, 3u, 4u, 67u, 68u, 121u, 134u },
            new[]
            {
                (uint)VirtioGpuFormat.B8G8R8A8Unorm, (uint)VirtioGpuFormat.B8G8R8X8Unorm, (uint)VirtioGpuFormat.A8R8G8B8Unorm,
                (uint)VirtioGpuFormat.X8R8G8B8Unorm, (uint)VirtioGpuFormat.R8G8B8A8Unorm, (uint)VirtioGpuFormat.X8B8G8R8Unorm,
                (uint)VirtioGpuFormat.A8B8G8R8Unorm, (uint)VirtioGpuFormat.R8G8B8X8Unorm,
            });
    }
}

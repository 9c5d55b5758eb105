using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>Sizes and offsets of the cross-domain structs against PROTOCOL.md B.1–B.5.</summary>
public sealed class CrossDomainStructLayoutTests : StructLayoutTests<CrossDomainStructLayoutTests>, IStructLayoutTable
{
    public static IReadOnlyList<ExpectedLayout> Layouts { get; } =
    [
        new(typeof(CrossDomainHeader), 8, ("Command", 0), ("RingIndex", 1), ("CommandSize", 2), ("Padding", 4)),
        // rutabaga's 16 bytes, then our extension word (docs/EXTENSIONS.md).
        new(typeof(CrossDomainCapabilities), 20,
            ("Version", 0), ("SupportedChannels", 4), ("SupportsDmabuf", 8), ("SupportsExternalGpuMemory", 12), ("Extensions", 16)),
        new(typeof(CrossDomainInitLegacy), 16, ("Header", 0), ("QueryRingId", 8), ("ChannelType", 12)),
        new(typeof(CrossDomainInit), 36,
            ("Header", 0), ("QueryRingId", 8), ("ChannelRingId", 12), ("ChannelType", 16),
            ("ProtocolVersion", 20), ("InternalSocketUuid", 20)),
        new(typeof(CrossDomainGetImageRequirements), 24,
            ("Header", 0), ("Width", 8), ("Height", 12), ("DrmFormat", 16), ("Flags", 20)),
        new(typeof(CrossDomainImageRequirements), 64,
            ("Strides", 0), ("Offsets", 16), ("Modifier", 32), ("Size", 40), ("BlobId", 48), ("MapInfo", 52),
            ("MemoryIndex", 56), ("PhysicalDeviceIndex", 60)),
        new(typeof(CrossDomainPoll), 16, ("Header", 0), ("Padding", 8)),
        new(typeof(CrossDomainSendReceive), 352,
            ("Header", 0), ("IdentifierCount", 8), ("OpaqueDataSize", 12), ("Identifiers", 16),
            ("IdentifierTypes", 128), ("IdentifierSizes", 240)),
        new(typeof(CrossDomainReadWrite), 24,
            ("Header", 0), ("Identifier", 8), ("HangUp", 12), ("OpaqueDataSize", 16), ("Padding", 20)),
        new(typeof(CrossDomainVirtioFsFile), 32,
            ("Header", 0), ("FilesystemId", 8), ("Handle", 16), ("Id", 24), ("Padding", 28)),
        new(typeof(CrossDomainItemCommand), 16, ("Header", 0), ("Id", 8), ("Padding", 12)),
        new(typeof(CrossDomainAssignSocketUuid), 32, ("Header", 0), ("SocketUuid", 8), ("Id", 24), ("Padding", 28)),
    ];

    [Fact]
    public void Size_constants_agree_with_the_structs()
    {
        Assert.Equal(CrossDomainSendReceive.Size, Unsafe.SizeOf<CrossDomainSendReceive>());
        Assert.Equal(CrossDomainReadWrite.Size, Unsafe.SizeOf<CrossDomainReadWrite>());
        Assert.Equal(CrossDomainInitLegacy.Size, Unsafe.SizeOf<CrossDomainInitLegacy>());
        Assert.Equal(CrossDomainInit.InternalSocketSize, Unsafe.SizeOf<CrossDomainInit>());
        Assert.Equal((int)CrossDomainCapabilities.CapsetMaxSize, Unsafe.SizeOf<CrossDomainCapabilities>());
    }

    [Fact]
    public void Init_forms_are_16_20_24_and_36_bytes()
    {
        Assert.Equal(16, CrossDomainInitLegacy.Size);
        Assert.Equal(20, CrossDomainInit.V1Size);
        Assert.Equal(24, CrossDomainInit.LibkrunSize);
        Assert.Equal(36, CrossDomainInit.InternalSocketSize);
        // Each longer form only appends to the v1 form.
        Assert.Equal(CrossDomainInit.V1Size, (int)Marshal.OffsetOf<CrossDomainInit>(nameof(CrossDomainInit.ProtocolVersion)));
        Assert.Equal(CrossDomainInit.V1Size, (int)Marshal.OffsetOf<CrossDomainInit>(nameof(CrossDomainInit.InternalSocketUuid)));
    }

    [Fact]
    public void Identifier_arrays_hold_max_identifiers()
    {
        var message = default(CrossDomainSendReceive);
        Assert.Equal(28, CrossDomainLimits.MaxIdentifiers);
        Assert.Equal(CrossDomainLimits.MaxIdentifiers, ((Span<uint>)message.Identifiers).Length);
        Assert.Equal(CrossDomainLimits.MaxIdentifiers, ((Span<uint>)message.IdentifierTypes).Length);
        Assert.Equal(CrossDomainLimits.MaxIdentifiers, ((Span<uint>)message.IdentifierSizes).Length);
    }

    [Fact]
    public void A_v1_init_reads_into_the_longest_form_with_the_tail_zeroed()
    {
        // sommelier's INIT: 20 bytes, query ring resource 2, channel ring resource 3, Wayland.
        byte[] wire = Convert.FromHexString("01001400 00000000 02000000 03000000 01000000".Replace(" ", ""));
        Span<byte> longest = stackalloc byte[CrossDomainInit.InternalSocketSize];
        longest.Clear();
        wire.CopyTo(longest);

        var init = MemoryMarshal.Read<CrossDomainInit>(longest);

        Assert.Equal(CrossDomainCommand.Init, init.Header.Command);
        Assert.Equal(CrossDomainInit.V1Size, init.Header.CommandSize);
        Assert.Equal(2u, init.QueryRingId);
        Assert.Equal(3u, init.ChannelRingId);
        Assert.Equal(ChannelType.Wayland, init.ChannelType);
        Assert.Equal(0u, init.ProtocolVersion);
    }

    [Fact]
    public void Send_round_trips_with_opaque_data_after_352_bytes()
    {
        byte[] wayland = [0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01, 0x00];
        var send = new CrossDomainSendReceive
        {
            Header = new CrossDomainHeader
            {
                Command = CrossDomainCommand.Send,
                CommandSize = (ushort)(CrossDomainSendReceive.Size + wayland.Length),
            },
            IdentifierCount = 1,
            OpaqueDataSize = (uint)wayland.Length,
        };
        send.Identifiers[0] = 0x8000_0001;
        send.IdentifierTypes[0] = (uint)IdentifierType.ReadPipe;

        byte[] buffer = new byte[CrossDomainSendReceive.Size + wayland.Length];
        MemoryMarshal.Write(buffer, in send);
        wayland.CopyTo(buffer.AsSpan(CrossDomainSendReceive.Size));

        Assert.Equal("04006801", Convert.ToHexString(buffer, 0, 4));
        Assert.Equal(0x8000_0001u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(16)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(128)));
        Assert.Equal(wayland, buffer.AsSpan(352).ToArray());

        var read = MemoryMarshal.Read<CrossDomainSendReceive>(buffer);
        Assert.Equal(360, read.Header.CommandSize);
        Assert.Equal(1u, read.IdentifierCount);
        Assert.Equal(0x8000_0001u, read.Identifiers[0]);
        Assert.Equal(IdentifierType.ReadPipe, (IdentifierType)read.IdentifierTypes[0]);
    }

    [Fact]
    public void A_receive_header_written_by_the_host_is_the_word_5()
    {
        // wayland-proxy-virtwl compares the whole first word with 5, so only cmd may be set.
        var header = new CrossDomainHeader { Command = CrossDomainCommand.Receive };
        Assert.Equal("0500000000000000", WireBytes.ToHex(header));
    }

    [Theory]
    [InlineData(CrossDomainCommand.Init, 1)]
    [InlineData(CrossDomainCommand.GetImageRequirements, 2)]
    [InlineData(CrossDomainCommand.Poll, 3)]
    [InlineData(CrossDomainCommand.Send, 4)]
    [InlineData(CrossDomainCommand.Receive, 5)]
    [InlineData(CrossDomainCommand.Read, 6)]
    [InlineData(CrossDomainCommand.Write, 7)]
    [InlineData(CrossDomainCommand.CreateAtomicMemorySentinel, 8)]
    [InlineData(CrossDomainCommand.SignalAtomicMemorySentinel, 9)]
    [InlineData(CrossDomainCommand.DestroyAtomicMemorySentinel, 10)]
    [InlineData(CrossDomainCommand.ReadCreateEvent, 11)]
    [InlineData(CrossDomainCommand.ImportVirtioFsHandle, 12)]
    [InlineData(CrossDomainCommand.AssignSocketUuid, 13)]
    public void Command_ids_match_the_protocol(CrossDomainCommand command, byte id) =>
        Assert.Equal(id, (byte)command);

    [Theory]
    [InlineData(ChannelType.None, 0x0000u)]
    [InlineData(ChannelType.Wayland, 0x0001u)]
    [InlineData(ChannelType.Camera, 0x0002u)]
    [InlineData(ChannelType.PipeWire, 0x0010u)]
    [InlineData(ChannelType.X11, 0x0011u)]
    [InlineData(ChannelType.DBusSession, 0x0012u)]
    [InlineData(ChannelType.DBusSystem, 0x0013u)]
    [InlineData(ChannelType.InternalSocket, 0xFFFF_FFFFu)]
    public void Channel_types_match_the_protocol(ChannelType channel, uint value) =>
        Assert.Equal(value, (uint)channel);

    [Theory]
    [InlineData(IdentifierType.VirtgpuBlob, 1u)]
    [InlineData(IdentifierType.VirtgpuSync, 2u)]
    [InlineData(IdentifierType.ReadPipe, 3u)]
    [InlineData(IdentifierType.WritePipe, 4u)]
    [InlineData(IdentifierType.Event, 5u)]
    [InlineData(IdentifierType.VirtioFsBlob, 6u)]
    [InlineData(IdentifierType.Socket, 7u)]
    public void Identifier_types_use_rutabaga_numbering(IdentifierType type, uint value) =>
        Assert.Equal(value, (uint)type);

    [Theory]
    [InlineData(ChannelType.Wayland, 0x2u)]
    [InlineData(ChannelType.Camera, 0x4u)]
    [InlineData(ChannelType.PipeWire, 1u << 16)]
    [InlineData(ChannelType.X11, 1u << 17)]
    [InlineData(ChannelType.InternalSocket, 0u)]
    public void Supported_channel_bit_is_one_shifted_by_the_channel_type(ChannelType channel, uint bit) =>
        Assert.Equal(bit, CrossDomainCapabilities.ChannelBit(channel));

    [Fact]
    public void Limits_and_other_constants_match_the_protocol()
    {
        Assert.Equal(0u, (uint)CrossDomainRing.Query);
        Assert.Equal(1u, (uint)CrossDomainRing.Channel);
        Assert.Equal(0xFFFF_FFFFu, (uint)CrossDomainRing.None);

        Assert.Equal(4096, CrossDomainLimits.DefaultRingSize);
        Assert.Equal(3744, CrossDomainLimits.MaxSendReceivePayload);
        Assert.Equal(4072, CrossDomainLimits.MaxReadWritePayload);
        Assert.Equal(65535, CrossDomainLimits.MaxCommandSize);
        Assert.Equal(0x8000_0000u, CrossDomainLimits.PipeReadStart);
        Assert.Equal(0x4000_0000u, CrossDomainLimits.AtomicMemorySentinelStart);

        Assert.Equal(1u, CrossDomainCapabilities.CurrentVersion);
        Assert.Equal(0u, CrossDomainCapabilities.CapsetMaxVersion);

        // What sommelier and wayland-proxy-virtwl ask for: GBM_BO_USE_LINEAR | GBM_BO_USE_SCANOUT.
        Assert.Equal(0x11u, (uint)(ImageUsageFlags.Linear | ImageUsageFlags.Scanout));
        Assert.Equal(
            new[] { 1u << 0, 1u << 2, 1u << 4, 1u << 5, 1u << 6, 1u << 7, 1u << 8, 1u << 9, 1u << 11, 1u << 13, 1u << 14 },
            Enum.GetValues<ImageUsageFlags>().Where(flag => flag != ImageUsageFlags.None).Select(flag => (uint)flag));
    }
}

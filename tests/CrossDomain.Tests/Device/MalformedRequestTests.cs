using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class MalformedRequestTests : IDisposable
{
    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    public static TheoryData<CommandType> CommandsWithFields =>
    [
        CommandType.GetEdid, CommandType.GetCapsetInfo, CommandType.GetCapset, CommandType.ResourceCreate2D,
        CommandType.ResourceUnref, CommandType.SetScanout, CommandType.ResourceFlush, CommandType.TransferToHost2D,
        CommandType.ResourceAttachBacking, CommandType.ResourceDetachBacking, CommandType.ResourceAssignUuid,
        CommandType.ResourceCreateBlob, CommandType.ContextCreate, CommandType.ContextAttachResource,
        CommandType.ContextDetachResource, CommandType.Submit3D, CommandType.ResourceMapBlob, CommandType.ResourceUnmapBlob,
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(23)]
    public void A_request_shorter_than_a_header_is_unspecified(int length)
    {
        var reply = _harness.Send(new byte[length]);
        Assert.Equal(CommandType.ErrorUnspecified, reply.Type);
    }

    [Theory]
    [MemberData(nameof(CommandsWithFields))]
    public void A_command_cut_short_of_its_fields_is_unspecified(CommandType command)
    {
        _harness.CreateContext(1);
        var request = Encode(Header(command, 1), new byte[8]);
        _harness.SendRefused(request[..24], DeviceRefusal.RequestTooShort);
        _harness.SendRefused(request[..28], DeviceRefusal.RequestTooShort);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x0099u)]
    [InlineData(0x1100u)]
    [InlineData(0xFFFF_FFFFu)]
    [InlineData((uint)CommandType.UpdateCursor)]
    [InlineData((uint)CommandType.MoveCursor)]
    [InlineData((uint)CommandType.SetScanoutBlob)]
    [InlineData((uint)CommandType.ResourceCreate3D)]
    [InlineData((uint)CommandType.TransferToHost3D)]
    [InlineData((uint)CommandType.TransferFromHost3D)]
    public void Unknown_and_unsupported_commands_are_unspecified(uint command)
    {
        _harness.SendFails(Encode(Header((CommandType)command), new byte[128]), GpuError.Unspecified);
    }

    [Fact]
    public void Entry_counts_beyond_the_request_are_unspecified()
    {
        _harness.SendOk(Create2D(1, 4, 4));
        _harness.SendRefused(AttachBacking(1, 2, Entries(Entry(DeviceHarness.GuestPage(0), 64))), DeviceRefusal.PayloadPastRequest);
        _harness.SendRefused(AttachBacking(1, 1, new byte[15]), DeviceRefusal.PayloadPastRequest);
        _harness.SendRefused(CreateBlob(2, BlobMemory.Guest, BlobFlags.None, 4096, 0, 0, 1, []), DeviceRefusal.PayloadPastRequest);
        Assert.Null(Resource(1).Backing);
    }

    [Fact]
    public void Counts_and_sizes_chosen_to_overflow_are_refused()
    {
        _harness.CreateContext(1);
        _harness.SendOk(Create2D(1, 4, 4));
        _harness.SendRefused(AttachBacking(1, 0x1000_0000, []), DeviceRefusal.TooManyMemoryEntries);
        _harness.SendRefused(AttachBacking(1, 0x8000_0001, []), DeviceRefusal.TooManyMemoryEntries);
        _harness.SendRefused(CreateBlob(2, BlobMemory.Guest, BlobFlags.None, ulong.MaxValue & ~4095ul,
            entries: Entry(DeviceHarness.GuestPage(0), 4096)), DeviceRefusal.BackingTooSmall);
        _harness.SendRefused(CreateBlob(2, BlobMemory.Host3D, BlobFlags.None, ulong.MaxValue & ~4095ul, 1), DeviceRefusal.HostMemoryExhausted);
        _harness.SendRefused(Submit(1, 0xFFFF_FFF0, new byte[16]), DeviceRefusal.SubmitTooLarge);
    }

    [Fact]
    public void Trailing_bytes_after_a_command_are_ignored()
    {
        _harness.SendOk(Encode(new ResourceCreate2DCommand
        {
            Header = Header(CommandType.ResourceCreate2D),
            ResourceId = 1,
            Format = VirtioGpuFormat.B8G8R8A8Unorm,
            Width = 2,
            Height = 2,
        }, new byte[100]));
    }

    private GpuResource Resource(uint resourceId)
    {
        Assert.True(_harness.Device.TryGetResource(resourceId, out var resource));
        return resource;
    }
}

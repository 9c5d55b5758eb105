using CrossDomain.Host.Device;
using CrossDomain.Tests.Device;
using CrossDomain.Tests.Virgl;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// Our extension for guests without host-visible memory (docs/EXTENSIONS.md): HOST3D_GUEST blobs of
/// image templates, whose boxes TRANSFER_TO_HOST_3D copies from the guest pages into the host
/// memory the compositor reads, and nothing else.
/// </summary>
public sealed class GuestMemoryTransferTests : IDisposable
{
    private const uint Argb8888 = 0x34325241;
    private const uint Width = 100;
    private const uint Height = 20;

    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;
    private readonly CrossDomainImageRequirements _requirements;
    private readonly uint _blob;
    private readonly ulong _pages;

    public GuestMemoryTransferTests()
    {
        _device = new CrossDomainDevice(compositorSocketPath: null);
        _guest = _device.CreateGuest(1).CreateRings().Init(ChannelType.None);
        _requirements = _guest.GetImageRequirements(Width, Height, Argb8888);
        int pages = (int)(_requirements.Size / DeviceHarness.PageSize);
        _pages = _device.AllocateGuestPages(pages);
        _blob = _device.NextResourceId();
        _device.Harness.SendOk(GpuRequests.CreateBlob(_blob, BlobMemory.Host3DGuest, BlobFlags.UseMappable | BlobFlags.UseShareable,
            _requirements.Size, _guest.ContextId, _requirements.BlobId, GpuRequests.Entry(_pages, (uint)_requirements.Size)));
        _device.Harness.SendOk(GpuRequests.AttachResource(_guest.ContextId, _blob));
    }

    private uint Stride => _requirements.Strides[0];

    [Fact]
    public void The_host_offers_the_extension_after_rutabagas_sixteen_bytes()
    {
        var capset = _device.Harness.SendOk(GpuRequests.GetCapset(CapsetId.CrossDomain, 0), CommandType.OkCapset).Response.AsSpan(24);
        Assert.Equal((int)CrossDomainCapabilities.CapsetMaxSize, capset.Length);
        Assert.Equal((uint)CrossDomainExtensions.GuestMemoryTransfers, BitConverter.ToUInt32(capset[CrossDomainCapabilities.RutabagaSize..]));
    }

    [Fact]
    public void A_box_is_copied_into_the_host_memory_and_nothing_around_it()
    {
        _device.Harness.Memory.At(_pages, (int)_requirements.Size).Fill(0x5A);
        _device.Harness.SendOk(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(10, 3, 7, 4)));

        var host = HostMemory();
        for (uint y = 0; y < Height; y++)
            for (uint x = 0; x < Width; x++)
            {
                bool inBox = x is >= 10 and < 17 && y is >= 3 and < 7;
                Assert.True(host[(int)(y * Stride + x * 4)] == (inBox ? 0x5A : 0), $"pixel ({x}, {y})");
            }
    }

    [Fact]
    public void Whole_rows_are_copied_without_the_padding_between_them()
    {
        Assert.NotEqual(Width * 4, Stride);
        _device.Harness.Memory.At(_pages, (int)_requirements.Size).Fill(0x11);
        _device.Harness.SendOk(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(0, 5, Width, 2), Stride));
        var host = HostMemory();
        for (int row = 4; row < 8; row++)
        {
            bool inBox = row is 5 or 6;
            Assert.True(host.Slice(row * (int)Stride, (int)Width * 4).IndexOfAnyExcept(inBox ? (byte)0x11 : (byte)0) < 0, $"row {row}");
            Assert.True(host.Slice(row * (int)Stride + (int)Width * 4, (int)(Stride - Width * 4)).IndexOfAnyExcept((byte)0) < 0, $"row {row}'s padding");
        }
    }

    [Fact]
    public void A_transfer_from_the_host_fills_the_guest_pages()
    {
        HostMemory().Fill(0x77);
        _device.Harness.SendOk(Transfer(CommandType.TransferFromHost3D, VirglRequests.Box(0, 0, 1, 1)));
        Assert.Equal([0x77, 0x77, 0x77, 0x77, 0], _device.Harness.Memory.At(_pages, 5).ToArray());
    }

    [Fact]
    public void A_box_outside_the_image_another_layout_or_a_blob_without_host_memory_is_refused()
    {
        _device.Harness.SendRefused(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(95, 0, 6, 1)), DeviceRefusal.OutsideResource);
        _device.Harness.SendRefused(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(0, 19, 1, 2)), DeviceRefusal.OutsideResource);
        _device.Harness.SendRefused(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(0, 0, 1, 1), level: 1), DeviceRefusal.OutsideResource);
        _device.Harness.SendRefused(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(0, 0, 1, 1), Stride + 4), DeviceRefusal.TransferLayoutMismatch);
        _device.Harness.SendRefused(Transfer(CommandType.TransferToHost3D, VirglRequests.Box(0, 0, 1, 1), offset: 4), DeviceRefusal.TransferLayoutMismatch);

        uint guestBlob = _guest.CreateGuestBlob(out _);
        _device.Harness.SendRefused(VirglRequests.Transfer(CommandType.TransferToHost3D, _guest.ContextId, guestBlob, VirglRequests.Box(0, 0, 1, 1), 0),
            DeviceRefusal.WrongResourceKind);
        // A HOST3D blob has no guest pages to copy from.
        uint hostBlob = _guest.CreateHostBlob(_requirements.BlobId, _requirements.Size);
        _device.Harness.SendRefused(VirglRequests.Transfer(CommandType.TransferToHost3D, _guest.ContextId, hostBlob, VirglRequests.Box(0, 0, 1, 1), 0),
            DeviceRefusal.WrongResourceKind);
        Assert.True(HostMemory().IndexOfAnyExcept((byte)0) < 0, "a refused transfer copied something");
    }

    [Fact]
    public void The_compositor_is_sent_the_host_memory_of_such_a_blob()
    {
        Assert.True(_device.Harness.Device.TryGetResource(_blob, out var resource));
        var blob = (BlobResource)resource;
        Assert.NotNull(blob.Backing);
        Assert.Equal(new BlobImageLayout(0, Stride, 4, Width, Height), blob.HostMemory!.TransferLayout);
    }

    private byte[] Transfer(CommandType direction, Box box, uint stride = 0, uint level = 0, ulong offset = 0) =>
        VirglRequests.Transfer(direction, _guest.ContextId, _blob, box, stride, level, offset);

    private Span<byte> HostMemory()
    {
        Assert.True(_device.Harness.Device.TryGetResource(_blob, out var resource));
        return ((BlobResource)resource).HostMemory!.Mapping()!.Span;
    }

    public void Dispose() => _device.Dispose();
}

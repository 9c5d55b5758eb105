using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class Resource2DCommandTests : IDisposable
{
    private const uint Width = 16, Height = 8, Stride = Width * 4;

    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Create_2d_makes_a_zeroed_image_of_the_format_and_size()
    {
        _harness.SendOk(Create2D(1, Width, Height, VirtioGpuFormat.R8G8B8A8Unorm));
        Assert.True(_harness.Device.TryGetResource(1, out var resource));
        var image = Assert.IsType<Resource2D>(resource);
        Assert.Equal((VirtioGpuFormat.R8G8B8A8Unorm, Width, Height), (image.Format, image.Width, image.Height));
        Assert.Equal((int)(Stride * Height), image.Pixels.Length);
        Assert.True(image.Pixels.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Create_2d_refuses_id_0_ids_in_use_unknown_formats_and_empty_sizes()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendFails(Create2D(0, Width, Height), GpuError.InvalidResourceId);
        _harness.SendFails(Create2D(1, Width, Height), GpuError.InvalidResourceId);
        _harness.SendFails(Create2D(2, Width, Height, (VirtioGpuFormat)5), GpuError.InvalidParameter);
        _harness.SendFails(Create2D(2, 0, Height), GpuError.InvalidParameter);
        _harness.SendFails(Create2D(2, Width, 0), GpuError.InvalidParameter);
        Assert.Equal(1, _harness.Device.ResourceCount);
    }

    [Fact]
    public void Transfer_of_the_whole_image_copies_a_scattered_backing_in_order()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        // 512 bytes in three runs of odd lengths, out of address order.
        var entries = new[] { Entry(DeviceHarness.GuestPage(30), 100), Entry(DeviceHarness.GuestPage(10), 300), Entry(DeviceHarness.GuestPage(20), 112) };
        var backing = WriteBacking(entries);
        _harness.SendOk(AttachBacking(1, entries));

        _harness.SendOk(TransferToHost2D(1, Rect(0, 0, Width, Height), 0));

        Assert.Equal(backing, Image(1).Pixels.ToArray());
    }

    [Fact]
    public void Transfer_of_a_rect_reads_each_row_a_stride_apart_from_the_offset()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        var entries = new[] { Entry(DeviceHarness.GuestPage(40), 256), Entry(DeviceHarness.GuestPage(50), 256) };
        var backing = WriteBacking(entries);
        _harness.SendOk(AttachBacking(1, entries));
        var rect = Rect(3, 2, 5, 4);
        ulong offset = rect.Y * Stride + rect.X * 4;

        _harness.SendOk(TransferToHost2D(1, rect, offset));

        var expected = new byte[Stride * Height];
        for (uint row = 0; row < rect.Height; row++)
        {
            backing.AsSpan((int)(offset + row * Stride), (int)rect.Width * 4)
                .CopyTo(expected.AsSpan((int)((rect.Y + row) * Stride + rect.X * 4)));
        }
        Assert.Equal(expected, Image(1).Pixels.ToArray());
    }

    [Fact]
    public void Transfer_is_refused_without_backing_outside_the_image_or_past_the_backing()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendFails(TransferToHost2D(1, Rect(0, 0, Width, Height), 0), GpuError.InvalidParameter);
        _harness.SendFails(TransferToHost2D(2, Rect(0, 0, 1, 1), 0), GpuError.InvalidResourceId);

        _harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), Stride * Height)));
        _harness.SendFails(TransferToHost2D(1, Rect(1, 0, Width, 1), 0), GpuError.InvalidParameter);
        _harness.SendFails(TransferToHost2D(1, Rect(0, Height, 1, 1), 0), GpuError.InvalidParameter);
        _harness.SendFails(TransferToHost2D(1, Rect(0, 0, Width, Height), 4), GpuError.InvalidParameter);
        _harness.SendFails(TransferToHost2D(1, Rect(0, 0, 1, 1), ulong.MaxValue), GpuError.InvalidParameter);
        _harness.SendOk(TransferToHost2D(1, Rect(0, 0, 0, 0), 0));
    }

    [Fact]
    public void Transfer_from_a_backing_outside_guest_memory_is_refused()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendOk(AttachBacking(1, Entry(0x10, Stride * Height)));
        _harness.SendFails(TransferToHost2D(1, Rect(0, 0, Width, Height), 0), GpuError.InvalidParameter);
    }

    [Fact]
    public void Backing_is_attached_once_and_can_be_detached_and_attached_again()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendFails(DetachBacking(1), GpuError.InvalidParameter);
        _harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), 4096)));
        _harness.SendFails(AttachBacking(1, Entry(DeviceHarness.GuestPage(1), 4096)), GpuError.InvalidParameter);
        _harness.SendOk(DetachBacking(1));
        _harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(1), 4096)));
        _harness.SendFails(DetachBacking(2), GpuError.InvalidResourceId);
        _harness.SendFails(AttachBacking(2, Entry(DeviceHarness.GuestPage(1), 4096)), GpuError.InvalidResourceId);
    }

    [Fact]
    public void Backing_entries_must_be_present_non_empty_and_not_wrap()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendFails(AttachBacking(1), GpuError.InvalidParameter);
        _harness.SendFails(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), 0)), GpuError.InvalidParameter);
        _harness.SendFails(AttachBacking(1, Entry(ulong.MaxValue - 100, 4096)), GpuError.InvalidParameter);
        Assert.Null(Image(1).Backing);
    }

    [Fact]
    public void Blobs_take_no_attach_or_detach_backing()
    {
        _harness.SendOk(CreateBlob(2, BlobMemory.Guest, BlobFlags.None, 4096, entries: Entry(DeviceHarness.GuestPage(0), 4096)));
        _harness.SendFails(AttachBacking(2, Entry(DeviceHarness.GuestPage(1), 4096)), GpuError.InvalidParameter);
        _harness.SendFails(DetachBacking(2), GpuError.InvalidParameter);
        _harness.SendFails(TransferToHost2D(2, Rect(0, 0, 1, 1), 0), GpuError.InvalidParameter);
    }

    [Fact]
    public void Unref_frees_the_id_for_reuse_and_returns_the_host_memory()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendOk(AttachBacking(1, Entry(DeviceHarness.GuestPage(0), 4096)));
        Assert.NotEqual(0ul, _harness.Device.HostMemoryInUse);

        _harness.SendOk(Unref(1));

        Assert.Equal(0, _harness.Device.ResourceCount);
        Assert.Equal(0ul, _harness.Device.HostMemoryInUse);
        _harness.SendFails(Unref(1), GpuError.InvalidResourceId);
        _harness.SendFails(Unref(0), GpuError.InvalidResourceId);
        _harness.SendOk(Create2D(1, Width, Height));
    }

    [Fact]
    public void Assign_uuid_gives_each_resource_one_stable_random_uuid()
    {
        _harness.SendOk(Create2D(1, Width, Height));
        _harness.SendOk(Create2D(2, Width, Height));
        var first = Uuid(1);
        Assert.Equal(first, Uuid(1));
        Assert.NotEqual(first, Uuid(2));
        Assert.Equal(4, first[6] >> 4);
        Assert.Equal(0b10, first[8] >> 6);
        _harness.SendFails(AssignUuid(3), GpuError.InvalidResourceId);
    }

    private byte[] Uuid(uint resourceId)
    {
        var reply = _harness.SendOk(AssignUuid(resourceId), CommandType.OkResourceUuid);
        Assert.Equal(40, reply.Response.Length);
        var answer = reply.Read<ResourceUuidResponse>();
        ReadOnlySpan<byte> uuid = answer.Uuid;
        return uuid.ToArray();
    }

    private Resource2D Image(uint resourceId)
    {
        Assert.True(_harness.Device.TryGetResource(resourceId, out var resource));
        return Assert.IsType<Resource2D>(resource);
    }

    /// <summary>Fills the entries' guest pages with a position-dependent pattern and returns the backing's bytes in order.</summary>
    private byte[] WriteBacking(MemoryEntry[] entries)
    {
        var bytes = new byte[entries.Sum(entry => entry.Length)];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7 + 3);
        int position = 0;
        foreach (var entry in entries)
        {
            bytes.AsSpan(position, (int)entry.Length).CopyTo(_harness.Memory.At(entry.Address, (int)entry.Length));
            position += (int)entry.Length;
        }
        return bytes;
    }
}

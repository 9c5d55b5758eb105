using System.Text;
using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>fds from the compositor in a RECEIVE: how each is classified, and how memory becomes a HOST3D blob (PROTOCOL.md B.5, B.7).</summary>
public sealed class ReceivedFdTests : IDisposable
{
    private readonly StandInCompositor _compositor = new();
    private readonly CrossDomainDevice _device;
    private readonly CrossDomainGuest _guest;

    public ReceivedFdTests()
    {
        _device = new CrossDomainDevice(_compositor.SocketPath);
        _guest = _device.CreateGuest(1).CreateRings().Init();
        _compositor.AcceptConnection();
    }

    [Fact]
    public void Memory_becomes_a_blob_identifier_of_its_size_and_the_blob_shows_its_bytes()
    {
        var contents = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compositor memory ", 1024))[..(3 * 4096)]);
        using (var memfd = TestFds.MemfdWith(contents)) _compositor.SendToGuest("event"u8, memfd);

        var message = _guest.PollForMessage();
        var identifier = Assert.Single(message.Identifiers);
        Assert.Equal(IdentifierType.VirtgpuBlob, identifier.Type);
        Assert.Equal((uint)contents.Length, identifier.Size);

        ulong size = CrossDomainGuest.PageAligned(identifier.Size);
        uint blob = _guest.CreateHostBlob(identifier.Id, size);
        ulong offset = _guest.MapHostBlob(blob, size);
        Assert.Equal(contents, _device.Harness.Window.MappedAt(offset, contents.Length).ToArray());
        Assert.True(_device.Harness.Window.Maps.Single(map => map.WindowOffset == offset).Writable);
    }

    /// <summary>weston's keymap for a wl_seat below v7: a writable memfd of 64434 bytes, which QEMU will not map as it is.</summary>
    [Fact]
    public void Memory_that_ends_inside_a_page_is_mapped_as_a_copy_padded_to_whole_pages()
    {
        var contents = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("xkb_keymap text ", 700)));
        using (var memfd = TestFds.MemfdWith(contents)) _compositor.SendToGuest("keymap"u8, memfd);

        var identifier = Assert.Single(_guest.PollForMessage().Identifiers);
        Assert.Equal((uint)contents.Length, identifier.Size);
        ulong size = CrossDomainGuest.PageAligned(identifier.Size);
        uint blob = _guest.CreateHostBlob(identifier.Id, size);
        ulong offset = _guest.MapHostBlob(blob, size);
        Assert.Equal((offset, size, true), _device.Harness.Window.Maps.Single(map => map.WindowOffset == offset));
        var mapped = _device.Harness.Window.MappedAt(offset, (int)size);
        Assert.Equal(contents, mapped[..contents.Length].ToArray());
        Assert.True(mapped[contents.Length..].IndexOfAnyExcept((byte)0) < 0, "the padding is not zeros");
    }

    [Fact]
    public void A_write_sealed_memfd_is_mapped_as_a_copy_whose_writes_the_compositor_never_sees()
    {
        using var sealedMemfd = TestFds.WriteSealedMemfdWith("xkb_keymap {};"u8);
        _compositor.SendToGuest("keymap"u8, sealedMemfd);
        AssertMappedAsACopy("xkb_keymap {};"u8, sealedMemfd);
    }

    [Fact]
    public void A_memfd_opened_read_only_is_mapped_as_a_copy_whose_writes_the_compositor_never_sees()
    {
        using var memfd = TestFds.MemfdWith("format table"u8);
        using (var readOnly = TestFds.ReadOnlyReopen(memfd)) _compositor.SendToGuest("feedback"u8, readOnly);
        AssertMappedAsACopy("format table"u8, memfd);
    }

    [Fact]
    public void A_received_item_is_consumed_by_the_first_blob_made_of_it()
    {
        using (var memfd = TestFds.MemfdWith(new byte[100])) _compositor.SendToGuest("x"u8, memfd);
        var identifier = Assert.Single(_guest.PollForMessage().Identifiers);
        _guest.CreateHostBlob(identifier.Id, 4096);
        _device.Harness.SendFails(GpuRequests.CreateBlob(_device.NextResourceId(), BlobMemory.Host3D,
            BlobFlags.UseMappable, 4096, _guest.ContextId, identifier.Id), GpuError.InvalidParameter);
    }

    [Fact]
    public void A_received_fd_holds_one_host_fd_of_the_devices_budget_and_the_blob_made_of_it_the_same_one()
    {
        using (var memfd = TestFds.MemfdWith(new byte[100])) _compositor.SendToGuest("x"u8, memfd);
        var identifier = Assert.Single(_guest.PollForMessage().Identifiers);
        Assert.Equal(1, _device.Harness.Device.HostFdsInUse);
        uint blob = _guest.CreateHostBlob(identifier.Id, 4096);
        Assert.Equal(1, _device.Harness.Device.HostFdsInUse);
        _device.Harness.SendOk(GpuRequests.Unref(blob));
        Assert.Equal(0, _device.Harness.Device.HostFdsInUse);
    }

    [Fact]
    public void A_guest_holding_the_devices_fd_budget_loses_its_channel_instead_of_receiving_more()
    {
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath, deviceLimits: new DeviceLimits { MaxHostFds = 40 });
        var guest = device.CreateGuest(1).CreateRings().Init();
        compositor.AcceptConnection();
        var memfds = Enumerable.Range(0, 20).Select(_ => TestFds.MemfdWith(new byte[8])).ToArray();
        compositor.SendToGuest("fds"u8, memfds);
        foreach (var memfd in memfds) memfd.Dispose();
        Assert.Equal(20, guest.PollForMessage().Identifiers.Length);

        // 20 left: recvmsg could bring 28.
        compositor.SendToGuest("more"u8);
        Assert.Empty(guest.PollForMessage().Data);
        Assert.Contains(device.Harness.Logger.Entries, entry => entry.Message.Contains("host fds for the guest; the channel is closed"));
        device.Harness.SendOk(GpuRequests.DestroyContext(1));
        Assert.Equal(0, device.Harness.Device.HostFdsInUse);
    }

    [Fact]
    public void A_write_only_pipe_becomes_a_write_pipe_identifier()
    {
        var (readEnd, writeEnd) = Pipe.Create();
        using (readEnd)
        {
            using (writeEnd) _compositor.SendToGuest("send"u8, writeEnd);
            var identifier = Assert.Single(_guest.PollForMessage().Identifiers);
            Assert.Equal(IdentifierType.WritePipe, identifier.Type);
            Assert.Equal(0u, identifier.Size);
        }
    }

    [Fact]
    public void Fds_the_channel_cannot_carry_are_closed_and_left_out()
    {
        var (socket, peer) = UnixSocket.CreatePair();
        var (readEnd, writeEnd) = Pipe.Create();
        using var eventFd = EventFd.Create();
        using var memfd = TestFds.MemfdWith(new byte[64]);
        using (socket)
        using (peer)
        using (readEnd)
        using (writeEnd)
        {
            _compositor.SendToGuest("mixed"u8, socket.Handle, readEnd, eventFd.Handle, memfd);
        }
        var message = _guest.PollForMessage();
        var identifier = Assert.Single(message.Identifiers);
        Assert.Equal(IdentifierType.VirtgpuBlob, identifier.Type);
        Assert.Equal(3, _device.Harness.Logger.Entries.Count(entry => entry.Message.Contains("cannot carry")));
    }

    [Fact]
    public void Twenty_eight_fds_in_one_message_become_twenty_eight_identifiers_with_ids_from_one_counter()
    {
        var memfds = Enumerable.Range(1, CrossDomainLimits.MaxIdentifiers).Select(i => TestFds.MemfdWith(new byte[i * 10])).ToArray();
        _compositor.SendToGuest("many"u8, memfds);
        foreach (var memfd in memfds) memfd.Dispose();

        var identifiers = _guest.PollForMessage().Identifiers;
        Assert.Equal(CrossDomainLimits.MaxIdentifiers, identifiers.Length);
        Assert.Equal(Enumerable.Range(1, CrossDomainLimits.MaxIdentifiers).Select(i => (uint)(i * 10)), identifiers.Select(id => id.Size));
        // Items are counted from 2, as in magma-gpu/rutabaga_gfx.
        Assert.Equal(Enumerable.Range(2, CrossDomainLimits.MaxIdentifiers).Select(i => (uint)i), identifiers.Select(id => id.Id));
    }

    [Fact]
    public void A_guest_that_never_consumes_fds_loses_its_channel_instead_of_growing_the_host()
    {
        using var compositor = new StandInCompositor();
        using var device = new CrossDomainDevice(compositor.SocketPath, new Host.CrossDomain.CrossDomainContextLimits { MaxHeldFds = 40 });
        var guest = device.CreateGuest(1).CreateRings().Init();
        compositor.AcceptConnection();
        for (int round = 0; round < 2; round++)
        {
            var memfds = Enumerable.Range(0, 10).Select(_ => TestFds.MemfdWith(new byte[8])).ToArray();
            compositor.SendToGuest("fds"u8, memfds);
            foreach (var memfd in memfds) memfd.Dispose();
            Assert.Equal(10, guest.PollForMessage().Identifiers.Length);
        }
        compositor.SendToGuest("more"u8);
        var end = guest.PollForMessage();
        Assert.Empty(end.Data);
        Assert.Contains(device.Harness.Logger.Entries, entry => entry.Message.Contains("unconsumed fds"));
    }

    /// <summary>The guest's blob shows <paramref name="contents"/>; what it writes there stays out of <paramref name="compositorMemory"/>.</summary>
    private void AssertMappedAsACopy(ReadOnlySpan<byte> contents, FileDescriptor compositorMemory)
    {
        var identifier = Assert.Single(_guest.PollForMessage().Identifiers);
        Assert.Equal((uint)contents.Length, identifier.Size);
        uint blob = _guest.CreateHostBlob(identifier.Id, 4096);
        ulong offset = _guest.MapHostBlob(blob, 4096);
        var mapped = _device.Harness.Window.MappedAt(offset, contents.Length);
        Assert.Equal(contents.ToArray(), mapped.ToArray());
        mapped.Fill((byte)'!');
        using var original = MemoryMapping.Map(compositorMemory, contents.Length, writable: false);
        Assert.Equal(contents.ToArray(), original.Span.ToArray());
    }

    public void Dispose()
    {
        _device.Dispose();
        _compositor.Dispose();
    }
}

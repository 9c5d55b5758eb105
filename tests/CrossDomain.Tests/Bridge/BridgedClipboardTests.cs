using System.Text;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// Copy and paste between two clients of the proxy, through weston's data device. weston (10,
/// libweston/data-device.c and clipboard.c) does three things that exercise both pipe paths:
/// <list type="number">
/// <item>on set_selection its clipboard manager at once asks the source for its first mime type
/// (wl_data_source.send) to keep a copy: the copying client gets a WRITE_PIPE;</item>
/// <item>a paste (wl_data_offer.receive) while the source lives is passed to the source as another
/// send: the pasting client's fd goes out as a READ_PIPE and the copying client's as a WRITE_PIPE;</item>
/// <item>once the source is destroyed, the clipboard manager offers its own copy, and a paste is
/// answered from it by weston: only a READ_PIPE, with what came through the first send.</item>
/// </list>
/// The selection is sent only to the client with keyboard focus, so the pasting client maps a
/// window first (desktop-shell focuses new toplevels), and weston runs with a seat (TESTING.md).
/// </summary>
[Collection(FdAccounting.Name)]
public sealed class BridgedClipboardTests(ITestOutputHelper output)
{
    private const string TextMime = "text/plain;charset=utf-8";
    private const uint XrgbShmFormat = 1;
    private static readonly TimeSpan PipeTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public void Copied_text_is_pasted_through_both_pipe_paths_and_from_westons_own_copy_and_no_fd_is_left_open()
    {
        Skip.IfNot(HeadlessWeston.CanStartWithSeat, "needs weston and Xvfb (deploy/install-deps.sh installs both)");
        // Several WRITEs and READs per transfer: one carries at most a ring of 4 KiB less its header.
        byte[] text = CopiedText(10 * 1024);
        using var weston = HeadlessWeston.StartWithSeat();
        using var bridge = BridgedProxy.Start(weston);

        using var paster = new SocketWaylandClient(bridge.Connect());
        var pasterDevice = DataDevice.Bind(paster);
        MapFocusedWindow(paster, pasterDevice);

        var copier = new SocketWaylandClient(bridge.Connect());
        try
        {
            var copierDevice = DataDevice.Bind(copier);
            uint source = copier.NewObject(WlDataSource.Interface, copierDevice.Version);
            var writer = copier.Requests();
            writer.Begin(copierDevice.Manager, WlDataDeviceManager.Requests.CreateDataSource);
            writer.WriteNewId(source);
            writer.End();
            writer.Begin(source, WlDataSource.Requests.Offer);
            writer.WriteString(TextMime);
            writer.End();
            copier.Send(writer.Written);
            copier.Roundtrip();

            // Everything the pipes open from here on must be closed by the end.
            var fdsBefore = FdAccounting.Snapshot();

            writer = copier.Requests();
            writer.Begin(copierDevice.Device, WlDataDevice.Requests.SetSelection);
            writer.WriteObject(source);
            writer.WriteUint(0); // weston accepts any serial while no selection is set
            writer.End();
            copier.Send(writer.Written);
            ServeOneSend(copier, source, text, "weston's clipboard manager");

            uint liveOffer = WaitForSelectionOffer(paster, pasterDevice);
            var pastedFromSource = Paste(paster, liveOffer, () => ServeOneSend(copier, source, text, "the paste"));
            output.WriteLine($"pasted {pastedFromSource.Length} bytes from the live source");
            Assert.Equal(text, pastedFromSource);

            // Without the copier, the selection is weston's copy, filled by the first send.
            copier.Dispose();
            uint clipboardOffer = WaitForSelectionOffer(paster, pasterDevice);
            Assert.NotEqual(liveOffer, clipboardOffer);
            var pastedFromClipboard = Paste(paster, clipboardOffer, () => { });
            output.WriteLine($"pasted {pastedFromClipboard.Length} bytes from weston's clipboard copy");
            Assert.Equal(text, pastedFromClipboard);

            // The copier's session is gone, the paster's is idle: every pipe fd of both is closed.
            bridge.WaitForClientCount(1, TimeSpan.FromSeconds(10));
            paster.Roundtrip();
            FdAccounting.AssertNoneOpenedSince(fdsBefore);
        }
        finally
        {
            copier.Dispose();
        }
    }

    /// <summary>ASCII that never repeats within a READ, so a lost, doubled or reordered chunk shows.</summary>
    private static byte[] CopiedText(int length)
    {
        var text = new StringBuilder(length);
        for (int line = 0; text.Length < length; line++) text.Append($"line {line:D5} of the copied text\n");
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private readonly record struct DataDevice(uint Manager, uint Device, uint Version)
    {
        public static DataDevice Bind(SocketWaylandClient client)
        {
            client.GetGlobals();
            uint seat = client.Bind(WlSeat.Interface, 7);
            uint manager = client.Bind(WlDataDeviceManager.Interface, 3);
            uint version = Math.Min(3u, client.Globals.First(g => g.Interface == WlDataDeviceManager.Interface.Name).Version);
            uint device = client.NewObject(WlDataDevice.Interface, version);
            var writer = client.Requests();
            writer.Begin(manager, WlDataDeviceManager.Requests.GetDataDevice);
            writer.WriteNewId(device);
            writer.WriteObject(seat);
            writer.End();
            client.Send(writer.Written);
            client.Roundtrip();
            return new DataDevice(manager, device, version);
        }
    }

    /// <summary>
    /// An xdg toplevel with a buffer, so desktop-shell maps and activates it; focus is known to have
    /// come when the data device gets its first selection (empty: nothing is copied yet).
    /// </summary>
    private static void MapFocusedWindow(SocketWaylandClient client, DataDevice device)
    {
        const int Width = 64, Height = 64, Stride = Width * 4;
        uint compositor = client.Bind(WlCompositor.Interface, 4);
        uint shm = client.Bind(WlShm.Interface, 1);
        uint wmBase = client.Bind(XdgWmBase.Interface, 1);
        uint pool = client.NewObject(WlShmPool.Interface);
        uint buffer = client.NewObject(WlBuffer.Interface);
        uint surface = client.NewObject(WlSurface.Interface, 4);
        uint xdgSurface = client.NewObject(XdgSurface.Interface);
        uint toplevel = client.NewObject(XdgToplevel.Interface);

        var poolFd = MemFd.Create("clipboard-test-window", Stride * Height);
        var writer = client.Requests();
        WlShm.CreatePoolRequest.Encode(ref writer, shm, pool, Stride * Height);
        client.Send(writer.Written, poolFd);
        writer = client.Requests();
        WlShmPool.CreateBufferRequest.Encode(ref writer, pool, buffer, 0, Width, Height, Stride, XrgbShmFormat);
        WlCompositor.CreateSurfaceRequest.Encode(ref writer, compositor, surface);
        XdgWmBase.GetXdgSurfaceRequest.Encode(ref writer, wmBase, xdgSurface, surface);
        XdgSurface.GetToplevelRequest.Encode(ref writer, xdgSurface, toplevel);
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written);
        var events = client.DispatchUntil(e => e.Is(XdgSurface.Interface, XdgSurface.Events.Configure));
        Assert.Equal(WireError.None, XdgSurface.ConfigureEvent.TryDecode(events[^1].Body, [], out var configured));
        writer = client.Requests();
        XdgSurface.AckConfigureRequest.Encode(ref writer, xdgSurface, configured.Serial);
        WlSurface.AttachRequest.Encode(ref writer, surface, buffer, 0, 0);
        WlSurface.DamageBufferRequest.Encode(ref writer, surface, 0, 0, Width, Height);
        WlSurface.CommitRequest.Encode(ref writer, surface);
        client.Send(writer.Written);

        // weston 10 activates the toplevel as it is made, so the selection may come before its first configure.
        static bool IsSelection(WaylandTestEvent<FileDescriptor> e, DataDevice device) => e.ObjectId == device.Device && e.Opcode == WlDataDevice.Events.Selection;
        if (!events.Any(e => IsSelection(e, device))) events = client.DispatchUntil(e => IsSelection(e, device));
        var selection = events.LastOrDefault(e => IsSelection(e, device));
        Assert.True(selection is not null, "the window got no keyboard focus: its data device was sent no selection");
        Assert.Null(SelectionOffer(selection));
    }

    /// <summary>
    /// The next selection that names an offer: the offer was made by a data_offer event (a new
    /// object the server creates, which the proxy must have registered to relay its offer events),
    /// and it must offer the copied mime type.
    /// </summary>
    private static uint WaitForSelectionOffer(SocketWaylandClient client, DataDevice device)
    {
        var events = client.DispatchUntil(e => e.ObjectId == device.Device && e.Opcode == WlDataDevice.Events.Selection && SelectionOffer(e) is not null);
        // weston answers a receive only on the newest offer of a source: a focus change meanwhile makes another.
        events.AddRange(client.Roundtrip());
        var selection = events.LastOrDefault(e => e.ObjectId == device.Device && e.Opcode == WlDataDevice.Events.Selection);
        uint offer = (selection is null ? null : SelectionOffer(selection)) ?? throw new Xunit.Sdk.XunitException("no selection with an offer came");
        Assert.Contains(events, e => e.ObjectId == device.Device && e.Opcode == WlDataDevice.Events.DataOffer && NewOffer(e) == offer);
        Assert.Contains(events, e => e.ObjectId == offer && e.Is(WlDataOffer.Interface, WlDataOffer.Events.Offer) && OfferedMime(e) == TextMime);
        return offer;
    }

    private static uint? SelectionOffer(WaylandTestEvent<FileDescriptor> selection)
    {
        var reader = new WireReader(selection.Body);
        Assert.True(reader.TryReadObject(nullable: true, out uint offer) && reader.TryFinish(), "malformed wl_data_device.selection");
        return offer == 0 ? null : offer;
    }

    private static uint NewOffer(WaylandTestEvent<FileDescriptor> dataOffer)
    {
        var reader = new WireReader(dataOffer.Body);
        Assert.True(reader.TryReadUint(out uint offer) && reader.TryFinish(), "malformed wl_data_device.data_offer");
        return offer;
    }

    private static string? OfferedMime(WaylandTestEvent<FileDescriptor> offered)
    {
        var reader = new WireReader(offered.Body);
        Assert.True(reader.TryReadString(nullable: false, out string? mime) && reader.TryFinish(), "malformed wl_data_offer.offer");
        return mime;
    }

    /// <summary>Waits for the source's next send, checks it asks for our mime type, writes all of <paramref name="text"/> into its fd and closes it.</summary>
    private void ServeOneSend(SocketWaylandClient copier, uint source, byte[] text, string requester)
    {
        var events = copier.DispatchUntil(e => e.ObjectId == source && e.Is(WlDataSource.Interface, WlDataSource.Events.Send));
        var send = events[^1];
        Assert.True(send.ObjectId == source && send.Opcode == WlDataSource.Events.Send, $"the source got no send for {requester}");
        Assert.Equal(WireError.None, WlDataSource.SendEvent.TryDecode(send.Body, send.Fds, out var request));
        Assert.Equal(TextMime, Encoding.UTF8.GetString(request.MimeType));
        using var fd = Assert.Single(send.Fds);
        Assert.True(Pipe.IsWriteOnlyPipe(fd), $"the fd of the send for {requester} is not the write end of a pipe");
        // Compositors hand over a blocking pipe (weston: pipe2 with O_CLOEXEC only), and clients such
        // as wl-copy write larger data in a plain write loop that fails on EAGAIN.
        Assert.True((Tmds.Linux.LibC.fcntl(fd.Fd, Tmds.Linux.LibC.F_GETFL) & Tmds.Linux.LibC.O_NONBLOCK) == 0,
            $"the fd of the send for {requester} is non-blocking");
        // The pipe (64 KiB) takes the whole text at once, so the blocking write cannot hang here.
        ReadOnlySpan<byte> left = text;
        while (!left.IsEmpty)
        {
            var result = Pipe.Write(fd, left);
            Assert.True(result.Status == IoStatus.Done, $"writing the text for {requester}: {result}");
            left = left[result.Bytes..];
        }
        output.WriteLine($"wrote {text.Length} bytes for {requester}");
    }

    /// <summary>
    /// wl_data_offer.receive with the write end of a fresh pipe, then <paramref name="serveSource"/>
    /// (the copier's part, if the source is a client), then everything until end of file: it comes
    /// only once every holder of the write end (the proxy's relay included) has closed it.
    /// </summary>
    private static byte[] Paste(SocketWaylandClient paster, uint offer, Action serveSource)
    {
        var (readEnd, writeEnd) = Pipe.Create(nonBlocking: true);
        using (readEnd)
        {
            var writer = paster.Requests();
            writer.Begin(offer, WlDataOffer.Requests.Receive);
            writer.WriteString(TextMime);
            writer.End();
            // The connection owns the write end now and closes it once sent: ours must not keep the pipe open.
            paster.Send(writer.Written, writeEnd);
            serveSource();
            return ReadUntilEndOfFile(readEnd);
        }
    }

    private static unsafe byte[] ReadUntilEndOfFile(FileDescriptor readEnd)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        var deadline = DateTime.UtcNow + PipeTimeout;
        while (true)
        {
            var result = Pipe.Read(readEnd, buffer);
            if (result.Status == IoStatus.EndOfStream) return received.ToArray();
            if (result.Status == IoStatus.Done)
            {
                received.Write(buffer, 0, result.Bytes);
                continue;
            }
            Assert.True(result.Status == IoStatus.WouldBlock, $"reading the pasted text: {result}");
            Assert.True(DateTime.UtcNow < deadline, $"the paste did not end: {received.Length} bytes came, then nothing and no end of file");
            var poll = new Tmds.Linux.pollfd { fd = readEnd.Fd, events = Tmds.Linux.LibC.POLLIN };
            Tmds.Linux.LibC.poll(&poll, 1, 200);
        }
    }
}

using System.Text;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// The keyboard's keymap, an fd the compositor sends, reaching the guest as a blob it can map.
/// The headless backend has no seat, so weston runs on its x11 backend inside Xvfb (TESTING.md).
/// </summary>
public sealed class WestonKeymapTests(ITestOutputHelper output)
{
    private const uint XkbV1Format = 1; // wl_keyboard.keymap_format xkb_v1

    /// <summary>From version 7 on, weston sends its own write-sealed keymap memfd, which no VMM can map as it is: the host copies it.</summary>
    private const uint SealedKeymapSeatVersion = 7;

    [SkippableTheory]
    [InlineData(GuestTransport.InProcess)]
    [InlineData(GuestTransport.Socket)]
    public void The_keymap_arrives_as_one_blob_identifier_whose_bytes_are_the_xkb_text(GuestTransport transport)
    {
        Skip.IfNot(HeadlessWeston.CanStartWithSeat, "needs weston and Xvfb (deploy/install-deps.sh installs both)");
        using var weston = HeadlessWeston.StartWithSeat();
        var guest = CrossDomainGuests.Open(transport, weston.SocketPath, out var owner);
        using var _ = owner;
        var client = new BridgedWaylandClient(guest);
        client.GetGlobals();
        uint seatVersion = Math.Min(client.Globals.Single(global => global.Interface == WlSeat.Name).Version, SealedKeymapSeatVersion);
        uint seat = client.Bind(WlSeat.Interface, seatVersion);

        uint keyboard = client.NewObject(WlKeyboard.Interface, seatVersion);
        var writer = client.Requests();
        writer.Begin(seat, WlSeat.Requests.GetKeyboard);
        writer.WriteNewId(keyboard);
        writer.End();
        client.Send(writer.Written);
        var keymap = client.DispatchUntil(e => e.ObjectId == keyboard && e.Opcode == WlKeyboard.Events.Keymap).Last();

        // keymap(format, fd, size): the fd travels as the event's one identifier.
        var reader = new WireReader(keymap.Body);
        Assert.True(reader.TryReadUint(out uint format) & reader.TryReadUint(out uint size) && reader.TryFinish());
        Assert.Equal(XkbV1Format, format);
        var identifier = Assert.Single(keymap.Fds);
        Assert.Equal(IdentifierType.VirtgpuBlob, identifier.Type);
        Assert.Equal(size, identifier.Size);

        ulong blobSize = CrossDomainGuest.PageAligned(identifier.Size);
        var blob = guest.CreateMappedBuffer(identifier.Id, blobSize);
        string text = Encoding.UTF8.GetString(blob.Bytes((int)size));
        Assert.StartsWith("xkb_keymap", text);
        Assert.EndsWith("\0", text);
        output.WriteLine($"{transport}: wl_seat v{seatVersion}: keymap of {size} bytes; RECEIVE sizes: {string.Join(", ", client.ReceiveSizes)}");
    }
}

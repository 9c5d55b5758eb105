using System.Text;
using CrossDomain.Interop;
using CrossDomain.Tests.Support;
using CrossDomain.Tests.Support.Wayland;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using Xunit.Abstractions;

namespace CrossDomain.Tests.Bridge;

/// <summary>
/// A client of the proxy binds wl_seat and wl_keyboard and gets the keymap as an fd of its own: a
/// sealed memfd with the compositor's bytes, which libxkbcommon compiles. weston runs on its x11
/// backend in Xvfb, the only way it has a seat here (TESTING.md). Without host-visible memory the
/// proxy cannot map the host's keymap and reads it with a transfer into guest pages instead.
/// </summary>
public sealed class BridgedKeymapTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_keymap_reaches_the_client_as_a_sealed_fd_that_compiles_as_an_xkb_keymap(bool hostVisibleMemory)
    {
        Skip.IfNot(HeadlessWeston.CanStartWithSeat, "needs weston and Xvfb (deploy/install-deps.sh installs both)");
        using var weston = HeadlessWeston.StartWithSeat();
        using var bridge = BridgedProxy.Start(weston, hostVisibleMemory: hostVisibleMemory);
        using var client = new SocketWaylandClient(bridge.Connect());
        client.GetGlobals();
        uint seat = client.Bind(WlSeat.Interface, 7);
        uint keyboard = client.NewObject(WlKeyboard.Interface, 7);
        var writer = client.Requests();
        writer.Begin(seat, WlSeat.Requests.GetKeyboard);
        writer.WriteNewId(keyboard);
        writer.End();
        client.Send(writer.Written);

        var keymap = client.DispatchUntil(e => e.ObjectId == keyboard && e.Opcode == WlKeyboard.Events.Keymap).Last();
        Assert.Equal(WireError.None, WlKeyboard.KeymapEvent.TryDecode(keymap.Body, keymap.Fds, out var decoded));
        using var fd = Assert.Single(keymap.Fds);
        Assert.Equal(decoded.Size, (uint)MemFd.GetSize(fd));
        Assert.True((MemFd.GetSeals(fd) & (MemFdSeals.Write | MemFdSeals.Shrink)) == (MemFdSeals.Write | MemFdSeals.Shrink), "the keymap memfd is not sealed");
        using var mapping = MemoryMapping.Map(fd, decoded.Size, writable: false);
        string text = Encoding.UTF8.GetString(mapping.Span);
        uint keys = XkbKeymap.CountKeys(text);
        output.WriteLine($"keymap of {decoded.Size} bytes, {keys} keycodes");
        Assert.StartsWith("xkb_keymap", text);
        Assert.True(keys > 100, $"libxkbcommon compiled {keys} keycodes");
    }
}

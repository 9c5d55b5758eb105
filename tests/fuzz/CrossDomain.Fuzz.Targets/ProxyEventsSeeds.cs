using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Fuzz.Targets;

/// <summary>
/// Seeds for <see cref="ProxyEventsTarget"/>: the conversations a desktop client has, in the
/// target's step layout, so the fuzzer starts from events the relay acts on (globals, shm
/// formats, a keymap in host memory, clipboard pipes both ways, buffer release).
/// </summary>
internal static class ProxyEventsSeeds
{
    // Object ids: client-made from 2, as libwayland counts; server-made from 0xff000000.
    private const uint Registry = 2, Callback = 3, Shm = 4, Seat = 5, DataDeviceManager = 6, Keyboard = 7, DataDevice = 8;
    private const uint Source = 9, Pool = 10, Buffer = 11, Compositor = 12, Surface = 13, Offer = 0xff000000;

    public static IEnumerable<(string Name, byte[] Input)> All()
    {
        var setup = new FuzzInputWriter();
        ClientStep(setup, Messages((ref WireWriter w) =>
        {
            WlDisplay.GetRegistryRequest.Encode(ref w, 1, Registry);
            WlDisplay.SyncRequest.Encode(ref w, 1, Callback);
        }));
        ReceiveStep(setup, [], Messages((ref WireWriter w) =>
        {
            WlRegistry.GlobalEvent.Encode(ref w, Registry, 1, "wl_compositor", 6);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, 2, "wl_shm", 1);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, 3, "wl_seat", 9);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, 4, "wl_data_device_manager", 3);
            WlRegistry.GlobalEvent.Encode(ref w, Registry, 5, "weston_screenshooter", 1);
            WlCallback.DoneEvent.Encode(ref w, Callback, 0);
            WlDisplay.DeleteIdEvent.Encode(ref w, 1, Callback);
        }));
        ClientStep(setup, Messages((ref WireWriter w) =>
        {
            WlRegistry.BindRequest.Encode(ref w, Registry, 2, "wl_shm", 1, Shm);
            WlRegistry.BindRequest.Encode(ref w, Registry, 3, "wl_seat", 7, Seat);
            WlRegistry.BindRequest.Encode(ref w, Registry, 4, "wl_data_device_manager", 3, DataDeviceManager);
            WlRegistry.BindRequest.Encode(ref w, Registry, 1, "wl_compositor", 4, Compositor);
            Raw(ref w, Seat, 1, Keyboard); // wl_seat.get_keyboard
            Raw(ref w, DataDeviceManager, 1, DataDevice, Seat); // wl_data_device_manager.get_data_device
        }));
        ReceiveStep(setup, [], Messages((ref WireWriter w) =>
        {
            WlShm.FormatEvent.Encode(ref w, Shm, 0);
            WlShm.FormatEvent.Encode(ref w, Shm, 0x34325258);
            Raw(ref w, Seat, 0, 3); // wl_seat.capabilities: pointer | keyboard
        }));
        var setupBytes = setup.ToArray();

        var keymap = new FuzzInputWriter().Bytes(setupBytes);
        // wl_keyboard.keymap(xkb_v1, fd, size): the fd is a host item the proxy copies out of a HOST3D blob.
        ReceiveStep(keymap, [(42, IdentifierType.VirtgpuBlob, 6000)], Messages((ref WireWriter w) => Raw(ref w, Keyboard, 0, 1, 6000)));
        yield return ("keymap", keymap.ToArray());

        var paste = new FuzzInputWriter().Bytes(setupBytes);
        ReceiveStep(paste, [], Messages((ref WireWriter w) =>
        {
            Raw(ref w, DataDevice, 0, Offer); // wl_data_device.data_offer
            w.Begin(Offer, 0); // wl_data_offer.offer
            w.WriteString("text/plain;charset=utf-8");
            w.End();
            Raw(ref w, DataDevice, 5, Offer); // wl_data_device.selection
        }));
        ClientStep(paste, Messages((ref WireWriter w) =>
        {
            w.Begin(Offer, 1); // wl_data_offer.receive(mime, fd)
            w.WriteString("text/plain;charset=utf-8");
            w.End();
        }), fdKinds: [1]);
        // READs into the first read pipe the proxy predicted (B.6), then one that hangs up.
        paste.Byte(2).UInt32(CrossDomainLimits.PipeReadStart + 1).Byte(0).Record("pasted "u8);
        paste.Byte(2).UInt32(CrossDomainLimits.PipeReadStart + 1).Byte(1).Record("text"u8);
        yield return ("paste", paste.ToArray());

        var copy = new FuzzInputWriter().Bytes(setupBytes);
        ClientStep(copy, Messages((ref WireWriter w) =>
        {
            Raw(ref w, DataDeviceManager, 0, Source); // create_data_source
            w.Begin(Source, 0); // wl_data_source.offer
            w.WriteString("text/plain");
            w.End();
        }));
        // wl_data_source.send(mime, fd): the fd is a host write pipe whose data the client writes.
        ReceiveStep(copy, [(7, IdentifierType.WritePipe, 0)], Messages((ref WireWriter w) =>
        {
            w.Begin(Source, 1);
            w.WriteString("text/plain");
            w.End();
        }));
        yield return ("copy", copy.ToArray());

        var frame = new FuzzInputWriter().Bytes(setupBytes);
        ClientStep(frame, Messages((ref WireWriter w) =>
        {
            w.Begin(Shm, 0); // wl_shm.create_pool(new_id, fd, size)
            w.WriteNewId(Pool);
            w.WriteInt(4 * 4096);
            w.End();
            Raw(ref w, Pool, 0, Buffer, 0, 32, 32, 128, 1); // create_buffer(id, offset, w, h, stride, xrgb8888)
            WlCompositor.CreateSurfaceRequest.Encode(ref w, Compositor, Surface);
            Raw(ref w, Surface, 1, Buffer, 0, 0); // attach
            Raw(ref w, Surface, 2, 0, 0, 32, 32); // damage
            Raw(ref w, Surface, 6); // commit
        }), fdKinds: [3 << 1]);
        ReceiveStep(frame, [], Messages((ref WireWriter w) => Raw(ref w, Buffer, 0))); // wl_buffer.release
        yield return ("frame", frame.ToArray());

        var hangUp = new FuzzInputWriter().Bytes(setupBytes);
        ReceiveStep(hangUp, [], []);
        yield return ("end-of-stream", hangUp.ToArray());
    }

    private static void ClientStep(FuzzInputWriter writer, byte[] requests, byte[]? fdKinds = null)
    {
        writer.Byte(0).Record(requests).Byte((byte)(fdKinds?.Length ?? 0));
        foreach (byte kind in fdKinds ?? []) writer.Byte(kind);
    }

    private static void ReceiveStep(FuzzInputWriter writer, (uint Id, IdentifierType Type, uint Size)[] identifiers, byte[] events)
    {
        writer.Byte(1).Byte((byte)identifiers.Length);
        foreach (var (id, type, size) in identifiers) writer.UInt32(id).Byte((byte)type).UInt32(size);
        writer.Record(events);
    }

    private static void Raw(ref WireWriter writer, uint objectId, ushort opcode, params uint[] arguments)
    {
        writer.Begin(objectId, opcode);
        foreach (uint argument in arguments) writer.WriteUint(argument);
        writer.End();
    }

    private static byte[] Messages(Encoder encode)
    {
        var writer = new WireWriter(new byte[4096]);
        encode(ref writer);
        return writer.Written.ToArray();
    }

    private delegate void Encoder(ref WireWriter writer);
}

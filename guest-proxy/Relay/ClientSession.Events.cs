using System.Text;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Dmabuf;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;
using HostEvent = CrossDomain.Wayland.Connection.FramedMessage<CrossDomain.GuestProxy.Channel.ChannelIdentifier>;

namespace CrossDomain.GuestProxy.Relay;

// Host to client: every event is checked and passed on; these are filtered or get their fds made.
internal sealed partial class ClientSession
{
    private bool HandleEvent(in HostEvent message)
    {
        _objects.TryGet(message.Header.ObjectId, out var target);
        if (message.Created.Exists && !RegisterServerObject(message, target)) return false;

        switch ((target.Interface.Id, message.Header.Opcode))
        {
            case (WaylandInterfaceId.WlDisplay, WlDisplay.Events.DeleteId):
                if (WlDisplay.DeleteIdEvent.TryDecode(message.Body.Span, [], out var deleted) != WireError.None) return HostFault("a malformed delete_id");
                if (_shm.HidesDelete(deleted.Id)) return true;
                _objects.Remove(deleted.Id);
                _registries.Deleted(deleted.Id);
                break;
            case (WaylandInterfaceId.WlRegistry, WlRegistry.Events.Global):
                return AnnounceGlobal(message);
            case (WaylandInterfaceId.WlRegistry, WlRegistry.Events.GlobalRemove):
                if (WlRegistry.GlobalRemoveEvent.TryDecode(message.Body.Span, [], out var removed) != WireError.None) return HostFault("a malformed global_remove");
                if (!_registries.Withdraw(message.Header.ObjectId, removed.Name)) return true;
                break;
            case (WaylandInterfaceId.ZwpLinuxDmabufV1, _):
                // The host's wl_shm.format events for the wl_shm behind it: the client got its formats from the proxy.
                return true;
            case (WaylandInterfaceId.WlShm, WlShm.Events.Format):
                if (WlShm.FormatEvent.TryDecode(message.Body.Span, [], out var format) != WireError.None) return HostFault("a malformed wl_shm.format");
                // Formats the proxy cannot shadow are not offered, so no client picks one.
                if (Shm.ShmFormats.BytesPerPixel(format.Format) == 0) return true;
                break;
        }

        if (message.Signature.FdCount == 0)
        {
            ForwardEvent(message, target, []);
            return true;
        }
        return ForwardWithFds(message, target);
    }

    private bool RegisterServerObject(in HostEvent message, LiveObject target)
    {
        var created = message.Created.ResolvedInterface;
        if (created is null || !_objects.TryAddServerObject(message.Created.Id, created, target.Version))
            return HostFault($"an event that creates object {message.Created.Id}, which is not the server's to create");
        return true;
    }

    private bool AnnounceGlobal(in HostEvent message)
    {
        if (WlRegistry.GlobalEvent.TryDecode(message.Body.Span, [], out var global) != WireError.None) return HostFault("a malformed wl_registry.global");
        // Strings are UTF-8 on the wire; a name that is not names no interface the policy offers,
        // and one that is comes back from the string below byte for byte, so the size stays.
        if (!System.Text.Unicode.Utf8.IsValid(global.Interface)) return true;
        string name = Encoding.UTF8.GetString(global.Interface);
        // The proxy's own global has this name; a host global that took it stays hidden.
        if (global.Name == DmabufFormats.GlobalName) return true;
        if (!_registries.TryAnnounce(message.Header.ObjectId, global.Name, name, global.Version, out uint offered))
            return true;
        _objects.TryGet(message.Header.ObjectId, out var registry);
        // The same name and the version offered: the size of what came, encoded straight into the
        // client's output queue.
        long movedBefore = _client.OutputBytesMoved;
        var writer = new WireWriter(_client.GetOutputSpan(message.Header.Size));
        WlRegistry.GlobalEvent.Encode(ref writer, message.Header.ObjectId, global.Name, name, offered);
        CountEventCopies(writer.Length + _client.OutputBytesMoved - movedBefore);
        EnqueueToClient(registry, message.Header, message.Signature, writer.Written, []);
        if (_dmabufs is not null && name == WlShm.Name) AnnounceDmabuf(registry, message.Header.ObjectId, global.Name);
        return true;
    }

    /// <summary>The proxy's linux-dmabuf, right after the host's wl_shm it is made on.</summary>
    private void AnnounceDmabuf(LiveObject registry, uint registryId, uint shmName)
    {
        _registries.AnnounceOwn(registryId, DmabufFormats.GlobalName, ZwpLinuxDmabufV1.Interface, DmabufFormats.Version, shmName);
        var writer = new WireWriter(_client.GetOutputSpan(64));
        WlRegistry.GlobalEvent.Encode(ref writer, registryId, DmabufFormats.GlobalName, ZwpLinuxDmabufV1.Name, DmabufFormats.Version);
        var header = new MessageHeader(registryId, WlRegistry.Events.Global, (ushort)writer.Length);
        EnqueueToClient(registry, header, WlRegistry.Interface.Events[WlRegistry.Events.Global], writer.Written, []);
    }

    /// <summary>
    /// The fds of an event are made here from what the host sent: memory (a keymap) becomes a
    /// sealed memfd with the same bytes; a write pipe becomes a local pipe whose data goes back
    /// in WRITEs.
    /// </summary>
    private bool ForwardWithFds(in HostEvent message, LiveObject target)
    {
        var identifiers = message.Fds.Span;
        var fds = new FileDescriptor[identifiers.Length];
        for (int i = 0; i < identifiers.Length; i++)
        {
            var identifier = identifiers[i];
            FileDescriptor? fd = identifier.Type switch
            {
                IdentifierType.VirtgpuBlob => _hostMemory.CopyToMemfd(identifier),
                IdentifierType.WritePipe => _pipes.AddHostSend(identifier.Id),
                _ => null,
            };
            if (fd is null)
            {
                foreach (var made in fds) made?.Dispose();
                return HostFault($"{target.Interface.Name}.{message.Signature.Name} with an identifier of type {identifier.Type}");
            }
            fds[i] = fd;
        }
        ForwardEvent(message, target, fds);
        return true;
    }

    /// <summary>
    /// The second and last copy of an event's bytes: from the stream that framed it straight into
    /// the client's output queue.
    /// </summary>
    private void ForwardEvent(in HostEvent message, LiveObject target, ReadOnlySpan<FileDescriptor> fds)
    {
        int size = MessageHeader.Length + message.Body.Length;
        long movedBefore = _client.OutputBytesMoved;
        var bytes = _client.GetOutputSpan(size);
        message.Header.Write(bytes);
        message.Body.Span.CopyTo(bytes[MessageHeader.Length..]);
        CountEventCopies(size + _client.OutputBytesMoved - movedBefore);
        EnqueueToClient(target, message.Header, message.Signature, bytes, fds);
    }

    /// <summary>Queues the event just written at the start of the client's output span.</summary>
    private void EnqueueToClient(LiveObject target, MessageHeader header, MessageSignature signature, ReadOnlySpan<byte> bytes, ReadOnlySpan<FileDescriptor> fds)
    {
        MessagesToClient++;
        _metrics.Message(_metricTags, toHost: false, bytes.Length, fds.Length);
        _tracer?.Trace(Number, toHost: false, target.Interface, header.ObjectId, signature, bytes[MessageHeader.Length..]);
        _client.CommitOutput(bytes.Length, fds);
    }

    private bool HostFault(string what)
    {
        Close($"the host sent {what}");
        return false;
    }
}

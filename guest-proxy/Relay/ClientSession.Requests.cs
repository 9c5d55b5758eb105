using System.Text;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.GuestProxy.Relay;

// Client to host: every request is checked and passed on; the owners of registry filtering, shm
// shadowing and pipes act on a few.
internal sealed partial class ClientSession
{
    private void HandleRequest(in WaylandMessage message)
    {
        _objects.TryGet(message.ObjectId, out var target);
        if (message.Signature.Since > target.Version)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod,
                $"{target.Interface.Name}.{message.Signature.Name} needs version {message.Signature.Since}, the object has {target.Version}");
        MessagesToHost++;
        _metrics.Message(_metricTags, toHost: true, MessageHeader.Length + message.Body.Length, message.Fds.Length);
        _tracer?.Trace(Number, toHost: true, target.Interface, message.ObjectId, message.Signature, message.Body.Span);

        switch ((target.Interface.Id, message.Opcode))
        {
            case (WaylandInterfaceId.WlRegistry, WlRegistry.Requests.Bind):
                Bind(message);
                break;
            case (WaylandInterfaceId.WlDisplay, WlDisplay.Requests.GetRegistry):
                ForwardAsItCame(message, target);
                _registries.RegistryCreated(message.Created.Id);
                break;
            case (WaylandInterfaceId.WlShm, WlShm.Requests.CreatePool):
                _shm.CreatePool(message, target);
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.CreateBuffer):
                _shm.CreateBuffer(message, target);
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.Resize):
                _shm.ResizePool(message);
                break;
            case (WaylandInterfaceId.WlShmPool, WlShmPool.Requests.Destroy):
                ForwardAsItCame(message, target);
                _shm.PoolDestroyed(message.ObjectId);
                break;
            case (WaylandInterfaceId.WlBuffer, WlBuffer.Requests.Destroy):
                ForwardAsItCame(message, target);
                _shm.BufferDestroyed(message.ObjectId);
                break;
            case (WaylandInterfaceId.WlCompositor, WlCompositor.Requests.CreateSurface):
                ForwardAsItCame(message, target);
                _shm.SurfaceCreated(message.Created.Id);
                break;
            case (WaylandInterfaceId.WlSurface, _):
                // Before the request goes on: a commit's pixels must be in the shadow when the host sees it.
                if (_shm.SurfaceRequest(message) is { } commit)
                {
                    ShmCommits++;
                    BytesCopied += commit.Copied;
                    if (!commit.FillsShadow)
                    {
                        DamagedAfterFill += commit.Damaged;
                        CopiedAfterFill += commit.Copied;
                        TransferredAfterFill += commit.Transferred;
                    }
                    _metrics.ShmCommitted(_metricTags, commit);
                }
                ForwardAsItCame(message, target);
                break;
            case (WaylandInterfaceId.ZwpLinuxDmabufV1, ZwpLinuxDmabufV1.Requests.CreateParams):
                _dmabufs!.CreateParams(message, target);
                break;
            case (WaylandInterfaceId.ZwpLinuxDmabufV1, ZwpLinuxDmabufV1.Requests.GetDefaultFeedback):
            case (WaylandInterfaceId.ZwpLinuxDmabufV1, ZwpLinuxDmabufV1.Requests.GetSurfaceFeedback):
                _dmabufs!.CreateFeedback(message, target);
                break;
            case (WaylandInterfaceId.ZwpLinuxDmabufV1, ZwpLinuxDmabufV1.Requests.Destroy):
                // Its host object is a wl_shm v1, which cannot be destroyed: the id stays taken there,
                // so no delete_id frees it here either.
                break;
            case (WaylandInterfaceId.ZwpLinuxBufferParamsV1, ZwpLinuxBufferParamsV1.Requests.Add):
                _dmabufs!.Add(message);
                break;
            case (WaylandInterfaceId.ZwpLinuxBufferParamsV1, ZwpLinuxBufferParamsV1.Requests.CreateImmed):
                _dmabufs!.CreateImmed(message, target);
                break;
            case (WaylandInterfaceId.ZwpLinuxBufferParamsV1, ZwpLinuxBufferParamsV1.Requests.Create):
                _dmabufs!.Create(message);
                break;
            case (WaylandInterfaceId.ZwpLinuxBufferParamsV1, ZwpLinuxBufferParamsV1.Requests.Destroy):
                _dmabufs!.ParamsDestroyed(message.ObjectId);
                break;
            case (WaylandInterfaceId.ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufFeedbackV1.Requests.Destroy):
                _dmabufs!.FeedbackDestroyed(message.ObjectId);
                break;
            case (WaylandInterfaceId.WpViewporter, WpViewporter.Requests.GetViewport):
                ForwardAsItCame(message, target);
                _shm.ViewportCreated(message);
                break;
            case (WaylandInterfaceId.WlDataOffer, WlDataOffer.Requests.Receive):
            case (WaylandInterfaceId.ZwpPrimarySelectionOfferV1, ZwpPrimarySelectionOfferV1.Requests.Receive):
                // The client's fd stays here and the host gets the READ_PIPE id it will answer to.
                var identifier = _pipes.AddClientReceive(message.Fds[0]);
                Register(message, target);
                Forward(message, [identifier]);
                break;
            default:
                ForwardAsItCame(message, target);
                break;
        }
    }

    private void Bind(in WaylandMessage message)
    {
        if (WlRegistry.BindRequest.TryDecode(message.Body.Span, message.Fds, out var bind) != WireError.None)
            throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidMethod, "malformed bind");
        var global = _registries.Bind(message.ObjectId, bind.Name, Encoding.UTF8.GetString(bind.Interface), bind.Version);
        _objects.AddClientObject(message.ObjectId, bind.Id, global.Interface, bind.Version);
        if (global.OwnOnHostGlobal is { } hostName)
            _dmabufs!.Bind(message.ObjectId, hostName, bind.Id, bind.Version);
        else
            Forward(message, []);
    }

    /// <summary>A request the proxy has nothing to change in: its new object recorded, its bytes passed on.</summary>
    private void ForwardAsItCame(in WaylandMessage message, LiveObject target)
    {
        if (message.Fds.Length > 0)
        {
            foreach (var fd in message.Fds) fd.Dispose();
            throw new ClientProtocolException(message.ObjectId, DisplayError.Implementation,
                $"{target.Interface.Name}.{message.Signature.Name} carries an fd the bridge cannot pass to the host");
        }
        Register(message, target);
        Forward(message, []);
    }

    /// <summary>Records the object a request creates, refusing ids that are not the client's to take.</summary>
    private void Register(in WaylandMessage message, LiveObject target)
    {
        if (!message.Created.Exists) return;
        var created = message.Created.ResolvedInterface
            ?? throw new ClientProtocolException(message.ObjectId, DisplayError.InvalidObject, $"unknown interface {message.Created.Interface}");
        _objects.AddClientObject(message.ObjectId, message.Created.Id, created, target.Version);
    }

    /// <summary>The request as it came, straight into the SEND batch: the identifiers go with its first byte.</summary>
    private void Forward(in WaylandMessage message, ReadOnlySpan<ChannelIdentifier> identifiers)
    {
        Span<byte> header = stackalloc byte[MessageHeader.Length];
        message.Header.Write(header);
        _toHost.Add(header, identifiers);
        _toHost.Add(message.Body.Span, []);
    }
}

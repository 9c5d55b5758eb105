using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.VirtioGpu.CrossDomain;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>Memory of a HOST3D blob as the guest maps it.</summary>
internal interface IMappedBuffer
{
    uint ResourceId { get; }

    Span<byte> Bytes(int length);
}

/// <summary>
/// One cross-domain context seen from the guest, whatever carries it: the device driven
/// in-process (<see cref="CrossDomainGuest"/>), or our local driver over the host service's real
/// vhost-user socket (<see cref="SocketCrossDomainGuest"/>). The compositor tests run on both.
/// </summary>
internal interface ICrossDomainGuest
{
    void Send(ReadOnlySpan<byte> requests, (uint Id, IdentifierType Type)[] identifiers);

    /// <summary>The next channel event, waiting for it.</summary>
    ChannelMessage PollForMessage();

    CrossDomainImageRequirements GetImageRequirements(uint width, uint height, uint drmFormat);

    /// <summary>A HOST3D blob from a host item id (a template or a received fd), attached and mapped.</summary>
    IMappedBuffer CreateMappedBuffer(ulong blobId, ulong size);
}

/// <summary>The two ways a test reaches a cross-domain context.</summary>
public enum GuestTransport
{
    /// <summary>Requests handed straight to the device core, in this thread.</summary>
    InProcess,
    /// <summary>The local driver and channel over the real host service socket.</summary>
    Socket,
}

internal static class CrossDomainGuests
{
    /// <summary>
    /// A Wayland-channel context on <paramref name="transport"/>, INIT done; dispose <paramref name="owner"/> after.
    /// The firewall is as the host runs it, on with its defaults, unless <paramref name="firewall"/> says otherwise.
    /// </summary>
    public static ICrossDomainGuest Open(GuestTransport transport, string compositorSocketPath, out IDisposable owner,
        WaylandFirewallOptions? firewall = null)
    {
        firewall ??= new WaylandFirewallOptions();
        if (transport == GuestTransport.Socket)
        {
            var socketGuest = new SocketCrossDomainGuest(compositorSocketPath, firewall);
            owner = socketGuest;
            return socketGuest;
        }
        var device = new CrossDomainDevice(compositorSocketPath, firewall: firewall);
        owner = device;
        return device.CreateGuest(1).CreateRings().Init();
    }
}

using CrossDomain.GuestProxy.Channel;
using CrossDomain.Host.CrossDomain;
using CrossDomain.Host.CrossDomain.Firewall;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Driver;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.Linux;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// A cross-domain context reached the way the guest proxy reaches it in local mode: the host
/// service on a real vhost-user socket, our userspace driver, and the proxy's channel.
/// </summary>
internal sealed class SocketCrossDomainGuest : ICrossDomainGuest, IDisposable
{
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(20);
    private readonly InProcessHostService _host;
    private readonly CrossDomainChannel _channel;

    public SocketCrossDomainGuest(string compositorSocketPath, WaylandFirewallOptions firewall)
    {
        _host = new InProcessHostService(new CrossDomainContextType(
            new CrossDomainOptions { WaylandSocketPath = compositorSocketPath, Firewall = firewall }, NullLogger.Instance));
        try
        {
            _channel = CrossDomainChannel.Open(LocalVirtioGpu.Connect(_host.SocketPath));
        }
        catch
        {
            _host.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> requests, (uint Id, IdentifierType Type)[] identifiers) =>
        _channel.Send(requests, identifiers.Select(identifier => new ChannelIdentifier(identifier.Id, identifier.Type)).ToArray());

    public unsafe ChannelMessage PollForMessage()
    {
        var deadline = DateTime.UtcNow + MessageTimeout;
        ChannelEvent received;
        while (!_channel.TryReceive(out received))
        {
            Assert.True(DateTime.UtcNow < deadline, "no channel event came");
            var fd = new pollfd { fd = _channel.ReceiveReadyFd.Fd, events = LibC.POLLIN };
            LibC.poll(&fd, 1, 100);
        }
        var message = ChannelMessage.From(received);
        _channel.Release();
        return message;
    }

    public CrossDomainImageRequirements GetImageRequirements(uint width, uint height, uint drmFormat) =>
        _channel.GetImageRequirements(width, height, drmFormat, ImageUsageFlags.Linear | ImageUsageFlags.Scanout);

    public IMappedBuffer CreateMappedBuffer(ulong blobId, ulong size)
    {
        return new Mapped(_channel.CreateMappedBlob(blobId, size));
    }

    public void Dispose()
    {
        _channel.Dispose();
        _host.Dispose();
    }

    private sealed class Mapped(MappedBuffer memory) : IMappedBuffer
    {
        public uint ResourceId => memory.ResourceId;

        public Span<byte> Bytes(int length) => memory.GetSpan(0, length);
    }
}

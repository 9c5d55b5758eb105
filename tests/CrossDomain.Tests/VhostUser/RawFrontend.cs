using System.Runtime.InteropServices;
using CrossDomain.Host.VhostUser;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.VhostUser;
using Microsoft.Extensions.Logging;

namespace CrossDomain.Tests.VhostUser;

/// <summary>
/// A front-end that sends exactly what a test says, message by message, for the cases the
/// well-behaved <see cref="VhostUserFrontend"/> never produces.
/// </summary>
internal sealed class RawFrontend : IDisposable
{
    private readonly VhostUserChannel _channel;

    private RawFrontend(UnixSocket socket) => _channel = new VhostUserChannel(socket, MessageRules.FrontendReplies);

    public static RawFrontend Connect(BackendLoop backend, out VhostUserBackendSession session,
        VhostUserBackendOptions? options = null, ILogger? logger = null)
    {
        var (ours, theirs) = UnixSocket.CreatePair();
        session = backend.StartSession(theirs, options, logger: logger);
        return new RawFrontend(ours);
    }

    /// <summary>
    /// GET_FEATURES, SET_PROTOCOL_FEATURES with <paramref name="protocol"/>, SET_FEATURES with
    /// <paramref name="features"/> (default: everything offered, bit 30 included).
    /// </summary>
    public void Negotiate(ProtocolFeatures protocol, ulong? features = null)
    {
        ulong offered = U64(FrontendRequest.GetFeatures);
        Send(FrontendRequest.SetProtocolFeatures, (ulong)protocol);
        Send(FrontendRequest.SetFeatures, features ?? offered);
    }

    public ulong U64(FrontendRequest request)
    {
        using var reply = Request(request, ReadOnlySpan<byte>.Empty);
        Assert.True(reply.TryRead(out ulong value));
        return value;
    }

    public void Send<T>(FrontendRequest request, in T payload, FileDescriptor? fd = null) where T : unmanaged =>
        Send(request, AsBytes(payload), fd, MessageFlags.None);

    public void Send(FrontendRequest request, ReadOnlySpan<byte> payload, FileDescriptor? fd, MessageFlags extraFlags)
    {
        var status = fd is null
            ? _channel.Send((uint)request, MessageFlags.Version1 | extraFlags, payload)
            : _channel.Send((uint)request, MessageFlags.Version1 | extraFlags, payload, [fd]);
        Assert.Equal(SendStatus.Sent, status);
    }

    /// <summary>Sends with NEED_REPLY and returns the ack (0 = success).</summary>
    public ulong Ack<T>(FrontendRequest request, in T payload, FileDescriptor? fd = null) where T : unmanaged =>
        Ack(request, AsBytes(payload), fd);

    public ulong Ack(FrontendRequest request, ReadOnlySpan<byte> payload, FileDescriptor? fd = null)
    {
        Send(request, payload, fd, MessageFlags.NeedReply);
        using var reply = Receive(request);
        Assert.True(reply.TryRead(out ulong ack));
        return ack;
    }

    public VhostUserMessage Request(FrontendRequest request, ReadOnlySpan<byte> payload)
    {
        Send(request, payload, null, MessageFlags.None);
        return Receive(request);
    }

    /// <summary>SET_MEM_TABLE with NEED_REPLY for one region.</summary>
    public ulong SetMemoryTable(FrontendMemoryRegion region)
    {
        var table = new MemoryTable { RegionCount = 1 };
        table.Regions[0] = region.ToWire();
        return Ack(FrontendRequest.SetMemTable, AsBytes(table)[..MemoryTable.PayloadLength(1)], region.Fd);
    }

    /// <summary>NUM, BASE, ADDR and KICK (acked) for ring <paramref name="ring"/> of <paramref name="guest"/>, addressed through <paramref name="region"/>.</summary>
    public ulong StartRing(TestGuest guest, FrontendMemoryRegion region, int ring, EventFd kick)
    {
        var layout = guest.Queues[ring];
        Send(FrontendRequest.SetVringNum, new VringState((uint)ring, layout.Size));
        Send(FrontendRequest.SetVringBase, new VringState((uint)ring, 0));
        Assert.True(region.TryGetUserAddress(layout.DescriptorTable, layout.DescriptorTableLength, out ulong descriptors));
        Assert.True(region.TryGetUserAddress(layout.AvailableRing, layout.AvailableRingLength, out ulong available));
        Assert.True(region.TryGetUserAddress(layout.UsedRing, layout.UsedRingLength, out ulong used));
        Send(FrontendRequest.SetVringAddr, new VringAddress
        {
            Index = (uint)ring,
            DescriptorTable = descriptors,
            AvailableRing = available,
            UsedRing = used,
        });
        return Ack(FrontendRequest.SetVringKick, new VringFdPayload((uint)ring, false), kick.Handle);
    }

    /// <summary>Bytes straight onto the socket, bypassing every check.</summary>
    public void SendRaw(ReadOnlySpan<byte> bytes, FileDescriptor? fd = null)
    {
        var result = fd is null ? _channel.Socket.Send(bytes) : _channel.Socket.Send(bytes, [fd]);
        Assert.Equal(IoStatus.Done, result.Status);
    }

    public void Dispose() => _channel.Dispose();

    private VhostUserMessage Receive(FrontendRequest request)
    {
        var result = _channel.ReceiveWithin(5000, out var reply);
        Assert.True(result.IsMessage, result.ToString());
        Assert.Equal((uint)request, reply!.Request);
        return reply;
    }

    private static ReadOnlySpan<byte> AsBytes<T>(in T value) where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
}

using System.Runtime.InteropServices;
using CrossDomain.Host.Device;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Fuzz.Targets;

namespace CrossDomain.Tests.CrossDomain;

/// <summary>
/// One cross-domain context seen from the guest: the control requests a guest proxy's ioctls make
/// the Linux driver send (PROTOCOL.md A.10, D.1), in the same order — rings as GUEST blobs attached
/// to the context, commands in SUBMIT_3D, POLL fenced on ring 1, queries fenced on ring 0, host
/// blobs created, mapped and attached.
/// </summary>
internal sealed class CrossDomainGuest(CrossDomainDevice device, uint contextId) : ICrossDomainGuest
{
    private static readonly TimeSpan MessageTimeout = TimeSpan.FromSeconds(20);

    public uint ContextId { get; } = contextId;

    public uint QueryRingId { get; private set; }

    public uint ChannelRingId { get; private set; }

    public ulong QueryRingAddress { get; private set; }

    public ulong ChannelRingAddress { get; private set; }

    private DeviceHarness Harness => device.Harness;

    /// <summary>Two one-page GUEST blobs, mappable, attached to the context: query ring first, as sommelier does.</summary>
    public CrossDomainGuest CreateRings()
    {
        QueryRingId = CreateGuestBlob(out ulong queryAddress);
        QueryRingAddress = queryAddress;
        ChannelRingId = CreateGuestBlob(out ulong channelAddress);
        ChannelRingAddress = channelAddress;
        return this;
    }

    /// <summary>A one-page GUEST blob attached to this context; its guest address comes back.</summary>
    public uint CreateGuestBlob(out ulong address, bool attach = true)
    {
        address = device.AllocateGuestPages(1);
        uint resourceId = device.NextResourceId();
        Harness.SendOk(GpuRequests.CreateBlob(resourceId, BlobMemory.Guest, BlobFlags.UseMappable, DeviceHarness.PageSize,
            entries: GpuRequests.Entry(address, DeviceHarness.PageSize)));
        if (attach) Harness.SendOk(GpuRequests.AttachResource(ContextId, resourceId));
        return resourceId;
    }

    /// <summary>INIT v1 (20 bytes), as sommelier and wayland-proxy-virtwl send it.</summary>
    public CrossDomainGuest Init(ChannelType channel = ChannelType.Wayland)
    {
        SubmitOk(CrossDomainCommands.Init(QueryRingId, ChannelRingId, channel));
        return this;
    }

    public RecordingReply Submit(byte[] commands) => Harness.Send(GpuRequests.Submit(ContextId, commands));

    public void SubmitOk(byte[] commands) => Harness.SendOk(GpuRequests.Submit(ContextId, commands));

    public void SubmitFails(byte[] commands, GpuError error) => Harness.SendFails(GpuRequests.Submit(ContextId, commands), error);

    /// <summary>POLL with a fence on the channel ring: the reply comes back once one event is in the ring.</summary>
    public RecordingReply Poll() =>
        Harness.Send(GpuRequests.Fenced(GpuRequests.Submit(ContextId, CrossDomainCommands.Poll()), device.NextFenceId(), (byte)CrossDomainRing.Channel));

    /// <summary>Turns the device loop until <paramref name="poll"/> completes, then reads the channel ring.</summary>
    public ChannelMessage WaitForMessage(RecordingReply poll)
    {
        Harness.RunLoopUntil(() => poll.IsCompleted, "a channel event", MessageTimeout);
        Assert.Equal(CommandType.OkNoData, poll.Type);
        return ReadChannelRing();
    }

    public ChannelMessage PollForMessage() => WaitForMessage(Poll());

    public ChannelMessage ReadChannelRing() => ChannelMessage.Parse(Harness.Memory.At(ChannelRingAddress, (int)DeviceHarness.PageSize));

    /// <summary>GET_IMAGE_REQUIREMENTS fenced on the query ring, then the answer at offset 0 of the query ring.</summary>
    public CrossDomainImageRequirements GetImageRequirements(uint width, uint height, uint drmFormat,
        ImageUsageFlags flags = ImageUsageFlags.Linear | ImageUsageFlags.Scanout)
    {
        Harness.Memory.At(QueryRingAddress, (int)DeviceHarness.PageSize).Clear();
        var reply = Harness.Send(GpuRequests.Fenced(
            GpuRequests.Submit(ContextId, CrossDomainCommands.GetImageRequirements(width, height, drmFormat, flags)),
            device.NextFenceId(), (byte)CrossDomainRing.Query));
        Assert.True(reply.IsCompleted, "a query-ring fence must complete at once");
        Assert.Equal(CommandType.OkNoData, reply.Type);
        return MemoryMarshal.Read<CrossDomainImageRequirements>(Harness.Memory.At(QueryRingAddress, 64));
    }

    /// <summary>The HOST3D blob a guest proxy makes from a host item id (mappable, shareable), attached to this context.</summary>
    public uint CreateHostBlob(ulong blobId, ulong size)
    {
        uint resourceId = device.NextResourceId();
        Harness.SendOk(GpuRequests.CreateBlob(resourceId, BlobMemory.Host3D, BlobFlags.UseMappable | BlobFlags.UseShareable,
            size, ContextId, blobId));
        Harness.SendOk(GpuRequests.AttachResource(ContextId, resourceId));
        return resourceId;
    }

    /// <summary>
    /// MAP_BLOB into the host-visible window; returns the window offset. The test reads the bytes
    /// through <see cref="RecordingHostVisibleWindow.MappedAt"/>, as the guest would through its mapping.
    /// </summary>
    public ulong MapHostBlob(uint resourceId, ulong size)
    {
        ulong offset = device.AllocateWindowRange(size);
        var reply = Harness.SendOk(GpuRequests.MapBlob(resourceId, offset), CommandType.OkMapInfo);
        Assert.Equal(MapCacheType.Cached, reply.Read<MapInfoResponse>().MapInfo);
        return offset;
    }

    public void Send(ReadOnlySpan<byte> requests, (uint Id, IdentifierType Type)[] identifiers) =>
        SubmitOk(CrossDomainCommands.Send(requests, identifiers));

    CrossDomainImageRequirements ICrossDomainGuest.GetImageRequirements(uint width, uint height, uint drmFormat) =>
        GetImageRequirements(width, height, drmFormat);

    public IMappedBuffer CreateMappedBuffer(ulong blobId, ulong size)
    {
        uint resourceId = CreateHostBlob(blobId, size);
        return new Mapped(device.Harness.Window, resourceId, MapHostBlob(resourceId, size));
    }

    private sealed class Mapped(RecordingHostVisibleWindow window, uint resourceId, ulong windowOffset) : IMappedBuffer
    {
        public uint ResourceId => resourceId;

        public Span<byte> Bytes(int length) => window.MappedAt(windowOffset, length);
    }

    /// <summary>The length rounded up to the page, the way the guest kernel sizes blobs.</summary>
    public static ulong PageAligned(ulong length) => (length + DeviceHarness.PageSize - 1) / DeviceHarness.PageSize * DeviceHarness.PageSize;
}

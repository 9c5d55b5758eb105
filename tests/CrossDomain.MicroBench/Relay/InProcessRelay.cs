using CrossDomain.Fuzz.Targets;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench.Relay;

/// <summary>
/// The guest proxy's relay for one client, whole, on this thread (<see cref="FakeHostSession"/>):
/// the host a <see cref="FakeHostDriver"/> that puts each RECEIVE in the channel ring and drops
/// every SEND. The session's entry points are the loop's callbacks, so requests come in through the
/// socket and events through the ring, as they do in the proxy; nothing else is in the way.
/// The client starts with a compositor, a surface, a seat and its pointer bound and made.
/// </summary>
internal sealed class InProcessRelay : IDisposable
{
    public const uint RegistryId = 2, CompositorId = 4, SurfaceId = 5, SeatId = 6, PointerId = 7;

    /// <summary>The first id the benchmarks may give new objects: every id below is taken or was.</summary>
    public const uint FirstFreeId = 8;

    private const uint SetupCallbackId = 3;

    private readonly FakeHostSession _relay = new(new FakeHostDriver());
    private readonly byte[] _fromProxy = new byte[64 << 10];
    private readonly List<FileDescriptor> _fdsFromProxy = [];

    public InProcessRelay()
    {
        FromClient(BenchMessages.Encode((ref WireWriter writer) =>
        {
            WlDisplay.GetRegistryRequest.Encode(ref writer, WaylandObjectMap.DisplayId, RegistryId);
            WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, SetupCallbackId);
        }));
        FromHost(FakeHostSession.Receive(BenchMessages.Encode((ref WireWriter writer) =>
        {
            WlRegistry.GlobalEvent.Encode(ref writer, RegistryId, 1, WlCompositor.Name, 6);
            WlRegistry.GlobalEvent.Encode(ref writer, RegistryId, 2, WlSeat.Name, 9);
            WlCallback.DoneEvent.Encode(ref writer, SetupCallbackId, 0);
            WlDisplay.DeleteIdEvent.Encode(ref writer, WaylandObjectMap.DisplayId, SetupCallbackId);
        })));
        DrainClient();
        FromClient(BenchMessages.Encode((ref WireWriter writer) =>
        {
            WlRegistry.BindRequest.Encode(ref writer, RegistryId, 1, WlCompositor.Name, 4, CompositorId);
            WlRegistry.BindRequest.Encode(ref writer, RegistryId, 2, WlSeat.Name, 7, SeatId);
            WlCompositor.CreateSurfaceRequest.Encode(ref writer, CompositorId, SurfaceId);
            writer.Begin(SeatId, WlSeat.Requests.GetPointer);
            writer.WriteNewId(PointerId);
            writer.End();
        }));
        ThrowIfClosed();
    }

    /// <summary>The client's bytes sent, and the relay run until it has nothing left to do with them.</summary>
    public void FromClient(ReadOnlySpan<byte> requests)
    {
        if (_relay.Client.Send(requests).Status != IoStatus.Done) throw new InvalidOperationException("the client could not send to the relay");
        RunUntilIdle();
    }

    /// <summary>A RECEIVE (<see cref="Receive"/>) in the channel ring, and the relay run until it is idle again.</summary>
    public void FromHost(byte[] receive)
    {
        _relay.Host.QueueSharedChannelMessage(receive);
        RunUntilIdle();
    }

    /// <summary>Reads what the relay wrote to the client; throws unless it is the events of <paramref name="receive"/>, all in one read.</summary>
    public void ExpectEventsAtClient(byte[] receive)
    {
        int expected = receive.Length - CrossDomainSendReceive.Size;
        var received = _relay.Client.Receive(_fromProxy, _fdsFromProxy);
        if (received.Status != IoStatus.Done || received.Bytes != expected)
        {
            ThrowIfClosed();
            throw new InvalidOperationException($"the client got {received.Status} with {received.Bytes} bytes, not the {expected} bytes of events sent");
        }
    }

    public void ThrowIfClosed()
    {
        if (_relay.IsClosed) throw new InvalidOperationException("the relay closed the client's session");
    }

    public void Dispose() => _relay.Dispose();

    private void RunUntilIdle() => _relay.RunUntilIdle();

    private void DrainClient()
    {
        while (_relay.Client.Receive(_fromProxy, _fdsFromProxy).Status == IoStatus.Done) { }
    }
}

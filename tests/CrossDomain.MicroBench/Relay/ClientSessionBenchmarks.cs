using BenchmarkDotNet.Attributes;
using CrossDomain.Fuzz.Targets;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench.Relay;

/// <summary>
/// The guest proxy's request and event handling (ClientSession.Requests.cs, ClientSession.Events.cs)
/// as the relay does it, one client conversation at a time: the socket read, the framing and
/// checks, the object map, the SEND batch; the ring read, the framing, the client's output queue
/// and its socket write. <see cref="SocketpairRoundTrip"/> is the part of that the kernel does
/// for any relay: the same bytes there and back over a bare socketpair.
/// </summary>
[MemoryDiagnoser]
public class ClientSessionBenchmarks
{
    private const uint CallbackId = InProcessRelay.FirstFreeId, RegionId = InProcessRelay.FirstFreeId + 1;
    // wl_callback.done and wl_display.delete_id: what the socketpair carries back for a sync.
    private const int SyncEventBytes = 24;

    private InProcessRelay _relay = null!;
    private byte[] _sync = [];
    private byte[] _callbackDoneAndDeleteId = [];
    private byte[] _regionCreateAddDestroy = [];
    private byte[] _regionDeleteId = [];
    private byte[] _damageBufferAndCommit = [];
    private byte[] _pointerMotionAndFrame = [];
    private UnixSocket _near = null!;
    private UnixSocket _far = null!;
    private readonly byte[] _socketBuffer = new byte[4096];
    private readonly List<FileDescriptor> _socketFds = [];

    [GlobalSetup]
    public void StartTheRelay()
    {
        _relay = new InProcessRelay();
        _sync = BenchMessages.Sync(CallbackId);
        _callbackDoneAndDeleteId = FakeHostSession.Receive(BenchMessages.CallbackDoneAndDeleteId(CallbackId));
        _regionCreateAddDestroy = BenchMessages.RegionCreateAddDestroy(InProcessRelay.CompositorId, RegionId);
        _regionDeleteId = FakeHostSession.Receive(BenchMessages.Encode((ref WireWriter writer) => WlDisplay.DeleteIdEvent.Encode(ref writer, WaylandObjectMap.DisplayId, RegionId)));
        // No buffer is attached, so the commit copies nothing: this is the requests' own handling.
        _damageBufferAndCommit = BenchMessages.Encode((ref WireWriter writer) =>
        {
            WlSurface.DamageBufferRequest.Encode(ref writer, InProcessRelay.SurfaceId, 100, 300, 64, 64);
            WlSurface.CommitRequest.Encode(ref writer, InProcessRelay.SurfaceId);
        });
        _pointerMotionAndFrame = FakeHostSession.Receive(BenchMessages.Encode((ref WireWriter writer) =>
        {
            writer.Begin(InProcessRelay.PointerId, WlPointer.Events.Motion);
            writer.WriteUint(123_456);
            writer.WriteFixed(WaylandFixed.FromDouble(640.5));
            writer.WriteFixed(WaylandFixed.FromDouble(360.25));
            writer.End();
            writer.Begin(InProcessRelay.PointerId, WlPointer.Events.Frame);
            writer.End();
        }));
        (_near, _far) = UnixSocket.CreatePair();
    }

    [GlobalCleanup]
    public void StopTheRelay()
    {
        try
        {
            // A session the relay closed part-way would have made every later operation a fast no-op.
            _relay.ThrowIfClosed();
        }
        finally
        {
            _relay.Dispose();
            _near.Dispose();
            _far.Dispose();
        }
    }

    /// <summary>wl_display.sync to the host; wl_callback.done and wl_display.delete_id back to the client.</summary>
    [Benchmark]
    public void SyncRoundTrip()
    {
        _relay.FromClient(_sync);
        _relay.FromHost(_callbackDoneAndDeleteId);
        _relay.ExpectEventsAtClient(_callbackDoneAndDeleteId);
    }

    /// <summary>wl_compositor.create_region, wl_region.add and wl_region.destroy to the host; the region's delete_id back.</summary>
    [Benchmark]
    public void RegionCreateAddDestroy()
    {
        _relay.FromClient(_regionCreateAddDestroy);
        _relay.FromHost(_regionDeleteId);
        _relay.ExpectEventsAtClient(_regionDeleteId);
    }

    /// <summary>Requests only: wl_surface.damage_buffer and wl_surface.commit, through the shm shadowing's bookkeeping, to the host.</summary>
    [Benchmark]
    public void SurfaceDamageBufferAndCommit()
    {
        _relay.FromClient(_damageBufferAndCommit);
        _relay.ThrowIfClosed();
    }

    /// <summary>Events only: wl_pointer.motion and wl_pointer.frame, the commonest events there are, to the client.</summary>
    [Benchmark]
    public void PointerMotionAndFrame()
    {
        _relay.FromHost(_pointerMotionAndFrame);
        _relay.ExpectEventsAtClient(_pointerMotionAndFrame);
    }

    [Benchmark(Baseline = true)]
    public int SocketpairRoundTrip()
    {
        _near.Send(_sync);
        _far.Receive(_socketBuffer, _socketFds);
        _far.Send(_socketBuffer.AsSpan(0, SyncEventBytes));
        return _near.Receive(_socketBuffer, _socketFds).Bytes;
    }
}

using CrossDomain.Fuzz.Targets;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.CrossDomain;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.Tests.Proxy;

/// <summary>
/// The relay's steady state allocates nothing: a client's <c>wl_display.sync</c> read, framed and
/// sent to the host, and the host's <c>wl_callback.done</c> and <c>delete_id</c> read from the
/// channel ring, framed and written to the client, round after round, as a client's frame loop
/// does. A real <see cref="ClientSession"/> and <see cref="CrossDomainChannel"/> on a real event
/// loop; the device is the fuzz targets' fake host, which puts each RECEIVE in the ring.
/// </summary>
public sealed class RelayAllocationTests : IDisposable
{
    private const int Rounds = 2000;
    private const int Windows = 3;
    private const uint CallbackId = 2;

    private readonly FakeHostSession _relay = new(new FakeHostDriver());
    private readonly byte[] _sync;
    private readonly byte[] _doneReceive;
    private readonly byte[] _fromProxy = new byte[4096];
    private readonly List<FileDescriptor> _fdsFromProxy = [];

    public RelayAllocationTests()
    {
        var writer = new WireWriter(new byte[64]);
        WlDisplay.SyncRequest.Encode(ref writer, 1, CallbackId);
        _sync = writer.Written.ToArray();

        writer = new WireWriter(new byte[64]);
        WlCallback.DoneEvent.Encode(ref writer, CallbackId, 7);
        WlDisplay.DeleteIdEvent.Encode(ref writer, 1, CallbackId);
        _doneReceive = FakeHostSession.Receive(writer.Written);
    }

    public void Dispose() => _relay.Dispose();

    [Fact]
    public void A_sync_round_trip_through_the_relay_allocates_nothing_once_warm()
    {
        long allocated = 0;
        void Round()
        {
            Assert.Equal(IoStatus.Done, _relay.Client.Send(_sync).Status);
            allocated += AllocatedWhileTheLoopRuns();
            // The fake host copies the RECEIVE it is given, which is the test's allocation, not the relay's.
            _relay.Host.QueueChannelMessage(_doneReceive);
            allocated += AllocatedWhileTheLoopRuns();
            var received = _relay.Client.Receive(_fromProxy, _fdsFromProxy);
            Assert.Equal(IoStatus.Done, received.Status);
            Assert.Equal(_doneReceive.Length - CrossDomainSendReceive.Size, received.Bytes);
        }

        for (int i = 0; i < Rounds; i++) Round();
        // The quietest of a few windows, as Bridge/AllocationAccounting does: an allocation per round
        // is in every window, what the runtime allocates now and then on this thread (tiering) in one.
        long quietest = long.MaxValue;
        for (int window = 0; window < Windows; window++)
        {
            allocated = 0;
            for (int i = 0; i < Rounds; i++) Round();
            quietest = Math.Min(quietest, allocated);
        }
        Assert.False(_relay.IsClosed, "the session closed");
        Assert.Equal((1L + Windows) * Rounds, _relay.MessagesToHost);
        Assert.Equal(0, quietest);
    }

    private long AllocatedWhileTheLoopRuns()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        _relay.RunUntilIdle();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}

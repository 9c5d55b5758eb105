using BenchmarkDotNet.Attributes;
using CrossDomain.Fuzz.Targets;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench.Relay;

/// <summary>
/// The last step of a request through the guest proxy: into the SEND batch a header and a body
/// at a time, as the relay forwards a message, then one SEND per read from the client. The
/// device is the fake host, which takes the SEND and drops it.
/// </summary>
[MemoryDiagnoser]
public class HostBoundBatchBenchmarks
{
    private const uint CompositorId = 2, CallbackId = 3, RegionId = 4;

    private CrossDomainChannel _channel = null!;
    private HostBoundBatch _batch = null!;
    private byte[] _sync = [];
    private byte[] _regionCreateAddDestroy = [];

    [GlobalSetup]
    public void OpenTheChannel()
    {
        _channel = CrossDomainChannel.Open(new FakeHostDriver());
        _batch = new HostBoundBatch(_channel);
        _sync = BenchMessages.Sync(CallbackId);
        _regionCreateAddDestroy = BenchMessages.RegionCreateAddDestroy(CompositorId, RegionId);
    }

    [GlobalCleanup]
    public void CloseTheChannel() => _channel.Dispose();

    [Benchmark]
    public void SyncInOneSend()
    {
        AddAsForwarded(_sync);
        _batch.Flush();
    }

    [Benchmark]
    public void RegionCreateAddDestroyInOneSend()
    {
        AddAsForwarded(_regionCreateAddDestroy);
        _batch.Flush();
    }

    /// <summary>Each message's header, then its body: the two spans the relay adds for every request it passes on.</summary>
    private void AddAsForwarded(ReadOnlySpan<byte> messages)
    {
        while (!messages.IsEmpty)
        {
            MessageHeader.TryRead(messages, MessageHeader.MaxMessageSize, out var header, out _);
            _batch.Add(messages[..MessageHeader.Length], []);
            _batch.Add(messages[MessageHeader.Length..header.Size], []);
            messages = messages[header.Size..];
        }
    }
}

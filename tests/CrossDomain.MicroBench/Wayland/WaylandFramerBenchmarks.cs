using BenchmarkDotNet.Attributes;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.Interop;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench.Wayland;

/// <summary>
/// The framer cutting whole messages out of a byte stream and checking each against its
/// signature, set up as the guest proxy has its two: the compositor's events as RECEIVEs bring
/// them (identifiers stand for fds, and always come first), and a client's requests as its socket
/// brings them (fds may follow the bytes).
/// </summary>
[MemoryDiagnoser]
public class WaylandFramerBenchmarks
{
    private const uint CompositorId = 2, CallbackId = 3, RegionId = 4;

    private readonly WaylandObjectMap _objects = new();
    private readonly WaylandFramer<ChannelIdentifier> _fromHost = new(WaylandConnection.DefaultMaxMessageSize, fdsMayFollowBytes: false);
    private readonly WaylandFramer<FileDescriptor> _fromClient = new(WaylandConnection.DefaultMaxMessageSize, fdsMayFollowBytes: true);
    private MessageResolver _resolveEvent = null!;
    private MessageResolver _resolveRequest = null!;
    private byte[] _callbackDoneAndDeleteId = [];
    private byte[] _regionCreateAddDestroy = [];

    [GlobalSetup]
    public void MakeTheObjectsTheMessagesNeed()
    {
        _objects.TryAdd(CompositorId, WlCompositor.Interface, 4);
        _objects.TryAdd(CallbackId, WlCallback.Interface, 1);
        // The framer only resolves; the relay records what a request creates, so the region is made here once.
        _objects.TryAdd(RegionId, WlRegion.Interface, 4);
        _resolveEvent = (uint id, ushort opcode, out WireError error) => _objects.Resolve(id, opcode, MessageDirection.Events, out error);
        _resolveRequest = (uint id, ushort opcode, out WireError error) => _objects.Resolve(id, opcode, MessageDirection.Requests, out error);

        _callbackDoneAndDeleteId = BenchMessages.CallbackDoneAndDeleteId(CallbackId);
        _regionCreateAddDestroy = BenchMessages.RegionCreateAddDestroy(CompositorId, RegionId);
    }

    /// <summary>One RECEIVE's bytes appended, then read until the framer needs more: two messages.</summary>
    [Benchmark]
    public int FrameCallbackDoneAndDeleteId()
    {
        if (!_fromHost.TryAppend(_callbackDoneAndDeleteId, [])) throw new InvalidOperationException("the framer refused a RECEIVE's bytes");
        return ReadAll(_fromHost, _resolveEvent);
    }

    /// <summary>One socket read's bytes, committed into the framer's own buffer as the connection does, then read: three messages.</summary>
    [Benchmark]
    public int FrameRegionCreateAddDestroy()
    {
        var room = _fromClient.GetFreeSpace(_regionCreateAddDestroy.Length);
        _regionCreateAddDestroy.CopyTo(room);
        _fromClient.Commit(_regionCreateAddDestroy.Length);
        return ReadAll(_fromClient, _resolveRequest);
    }

    private static int ReadAll<TFd>(WaylandFramer<TFd> framer, MessageResolver resolver)
    {
        int messages = 0;
        ReadStatus status;
        while ((status = framer.TryRead(resolver, out _, out _)) == ReadStatus.Message) messages++;
        if (status == ReadStatus.Malformed) throw new InvalidDataException("the framer found the benchmark's own messages malformed");
        return messages;
    }
}

using BenchmarkDotNet.Attributes;
using CrossDomain.Wayland.Connection;
using CrossDomain.Wayland.Protocol;
using CrossDomain.Wayland.Wire;

namespace CrossDomain.MicroBench.Wayland;

/// <summary>
/// The Wayland codec on the messages of a client's steady state: the generated encoders and
/// decoders of the typed messages the bridge acts on, and, for messages without one (regions),
/// the writer argument by argument and the signature check every relayed message gets.
/// </summary>
[MemoryDiagnoser]
public class WireCodecBenchmarks
{
    private const uint CompositorId = 2, CallbackId = 3, RegionId = 4, SurfaceId = 5, XdgSurfaceId = 6;

    private readonly byte[] _output = new byte[256];
    private byte[] _callbackDoneAndDeleteId = [];
    private byte[] _regionCreateAddDestroy = [];
    private byte[] _damageBuffer = [];
    private byte[] _xdgSurfaceConfigure = [];

    [GlobalSetup]
    public void EncodeTheMessagesToDecode()
    {
        _callbackDoneAndDeleteId = BenchMessages.CallbackDoneAndDeleteId(CallbackId);
        _regionCreateAddDestroy = BenchMessages.RegionCreateAddDestroy(CompositorId, RegionId);
        _damageBuffer = BenchMessages.Encode((ref WireWriter writer) => WlSurface.DamageBufferRequest.Encode(ref writer, SurfaceId, 100, 300, 64, 64));
        _xdgSurfaceConfigure = BenchMessages.Encode((ref WireWriter writer) => XdgSurface.ConfigureEvent.Encode(ref writer, XdgSurfaceId, 42));
    }

    [Benchmark]
    public int EncodeDisplaySync()
    {
        var writer = new WireWriter(_output);
        WlDisplay.SyncRequest.Encode(ref writer, WaylandObjectMap.DisplayId, CallbackId);
        return writer.Length;
    }

    [Benchmark]
    public uint DecodeCallbackDoneAndDeleteId()
    {
        ReadOnlySpan<byte> stream = _callbackDoneAndDeleteId;
        WlCallback.DoneEvent.TryDecode(NextBody(ref stream), [], out var done);
        WlDisplay.DeleteIdEvent.TryDecode(NextBody(ref stream), [], out var deleted);
        return done.CallbackData + deleted.Id;
    }

    [Benchmark]
    public int EncodeRegionCreateAddDestroy()
    {
        var writer = new WireWriter(_output);
        BenchMessages.RegionCreateAddDestroy(ref writer, CompositorId, RegionId);
        return writer.Length;
    }

    /// <summary>What the framer does with every message, typed or not: its arguments checked against the signature.</summary>
    [Benchmark]
    public WireError ValidateRegionCreateAddDestroy()
    {
        ReadOnlySpan<byte> stream = _regionCreateAddDestroy;
        var error = MessageValidator.Validate(WlCompositor.Interface.Requests[WlCompositor.Requests.CreateRegion], NextBody(ref stream), 0, out _);
        error |= MessageValidator.Validate(WlRegion.Interface.Requests[WlRegion.Requests.Add], NextBody(ref stream), 0, out _);
        error |= MessageValidator.Validate(WlRegion.Interface.Requests[WlRegion.Requests.Destroy], NextBody(ref stream), 0, out _);
        return error;
    }

    [Benchmark]
    public int EncodeSurfaceDamageBuffer()
    {
        var writer = new WireWriter(_output);
        WlSurface.DamageBufferRequest.Encode(ref writer, SurfaceId, 100, 300, 64, 64);
        return writer.Length;
    }

    [Benchmark]
    public int DecodeSurfaceDamageBuffer()
    {
        ReadOnlySpan<byte> stream = _damageBuffer;
        WlSurface.DamageBufferRequest.TryDecode(NextBody(ref stream), [], out var damage);
        return damage.Width * damage.Height;
    }

    [Benchmark]
    public uint DecodeXdgSurfaceConfigure()
    {
        ReadOnlySpan<byte> stream = _xdgSurfaceConfigure;
        XdgSurface.ConfigureEvent.TryDecode(NextBody(ref stream), [], out var configure);
        return configure.Serial;
    }

    /// <summary>The body of the message at the front of <paramref name="stream"/>, which moves past it: the header read as a receiver reads it.</summary>
    private static ReadOnlySpan<byte> NextBody(ref ReadOnlySpan<byte> stream)
    {
        if (!MessageHeader.TryRead(stream, WaylandConnection.DefaultMaxMessageSize, out var header, out _))
            throw new InvalidDataException("the benchmark's own message has no header");
        var body = stream.Slice(MessageHeader.Length, header.BodyLength);
        stream = stream[header.Size..];
        return body;
    }
}

using BenchmarkDotNet.Attributes;
using CrossDomain.Fuzz.Targets;
using CrossDomain.GuestProxy.Channel;
using CrossDomain.GuestProxy.Relay.Shm;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Driver;

namespace CrossDomain.MicroBench.Shm;

/// <summary>
/// The relay's frame cost: a commit's damage copied from a client's 1920×1080 XRGB8888 shm buffer
/// into its host shadow, both memfd mappings as a client's pool and a vhost-user guest's RAM are.
/// <see cref="WholeBufferMemcpy"/> is the same 8 MB in one copy, for this machine's memcpy bandwidth.
/// </summary>
[MemoryDiagnoser]
public class DamageCopyBenchmarks
{
    private const int Width = 1920, Height = 1080, BytesPerPixel = 4, Stride = Width * BytesPerPixel, BufferBytes = Stride * Height;
    private const int Square = 64;
    // The shadow's blob is made here, not by the fake host: no buffer handle of its names it.
    private const uint UnknownBufferHandle = uint.MaxValue;

    private readonly DamageRegion _wholeBuffer = new();
    private readonly DamageRegion _oneSquare = new();
    private CrossDomainChannel _channel = null!;
    private FileDescriptor _shadowMemory = null!;
    private MemoryMapping _shadowMapping = null!;
    private MemoryMapping _clientPixels = null!;
    private ShadowBuffer _buffer = null!;

    [GlobalSetup]
    public void MapTheBuffers()
    {
        _wholeBuffer.Add(new DamageRectangle(0, 0, Width, Height));
        _oneSquare.Add(new DamageRectangle(900, 500, Square, Square));

        var poolMemory = MemFd.Create("microbench-client-pool", BufferBytes);
        _clientPixels = MemoryMapping.Map(poolMemory, BufferBytes);
        // Every page written, so no copy meets an unbacked page of the client's.
        var pixels = _clientPixels.Span;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7);
        var pool = ClientShmPool.TryCreate(shmId: 1, poolMemory, BufferBytes, out string? problem)
            ?? throw new InvalidOperationException($"the client's pool: {problem}");

        _channel = CrossDomainChannel.Open(new FakeHostDriver());
        _shadowMemory = MemFd.Create("microbench-shadow", BufferBytes);
        _shadowMapping = MemoryMapping.Map(_shadowMemory, BufferBytes);
        var shadow = new MappedBuffer(_channel, UnknownBufferHandle, resourceId: 1, new MappedBlob(_shadowMapping.Address, _shadowMapping.Length));
        _buffer = new ShadowBuffer(pool, new BufferLayout(0, Width, Height, Stride, BytesPerPixel), shadow, Stride);
        // A new shadow is stale all over: this first copy is the whole buffer, and faults the shadow's pages in.
        if (_buffer.CopyDamage(new DamageRegion()) != BufferBytes) throw new InvalidOperationException("the first copy was not the whole buffer");
    }

    [GlobalCleanup]
    public void UnmapTheBuffers()
    {
        // The buffer lets the client's pool go (its mapping and fd); the shadow's memory is ours.
        _buffer.Dispose();
        _clientPixels.Dispose();
        _shadowMapping.Dispose();
        _shadowMemory.Dispose();
        _channel.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void WholeBufferMemcpy() => _clientPixels.Span.CopyTo(_shadowMapping.Span);

    [Benchmark]
    public long CopyWholeBufferDamage() => _buffer.CopyDamage(_wholeBuffer);

    [Benchmark]
    public long CopyOneSquareOfDamage() => _buffer.CopyDamage(_oneSquare);
}

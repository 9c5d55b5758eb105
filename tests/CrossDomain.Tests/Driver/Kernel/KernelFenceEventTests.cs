using System.Runtime.InteropServices;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;

namespace CrossDomain.Tests.Driver.Kernel;

/// <summary>
/// Poll-ring fences arrive as DRM events read from the DRM file (PROTOCOL.md C.4): 8-byte
/// drm_event headers of type VIRTGPU_EVENT_FENCE_SIGNALED, one per read; anything else is skipped.
/// </summary>
public sealed class KernelFenceEventTests : IDisposable
{
    private const uint FenceSignaled = 0x9000_0000;

    private readonly FakeDrmRenderNode _node = new();
    private readonly KernelVirtioGpu _gpu;

    public KernelFenceEventTests() => _gpu = KernelVirtioGpu.Over(_node);

    public void Dispose() => _gpu.Dispose();

    [Fact]
    public void One_fence_event_is_read_as_one_8_byte_event()
    {
        _node.QueueRead(Event(FenceSignaled, 8));
        _node.QueueRead(Event(FenceSignaled, 8));

        Assert.True(_gpu.TryReadFenceEvent());
        Assert.True(_gpu.TryReadFenceEvent());
        Assert.False(_gpu.TryReadFenceEvent());
        Assert.All(_node.ReadSizes, size => Assert.Equal(8, size));
    }

    [Fact]
    public void No_pending_event_is_false()
    {
        Assert.False(_gpu.TryReadFenceEvent());
    }

    [Fact]
    public void Events_of_other_types_are_skipped()
    {
        _node.QueueRead(Event(0x8000_0001, 8));
        _node.QueueRead(Event(FenceSignaled, 8));

        Assert.True(_gpu.TryReadFenceEvent());
        Assert.False(_gpu.TryReadFenceEvent());
    }

    [Fact]
    public void A_short_read_is_no_event()
    {
        _node.QueueRead([0x00, 0x00, 0x00, 0x90]);

        Assert.False(_gpu.TryReadFenceEvent());
    }

    [Fact]
    public void A_longer_event_first_is_taken_with_the_fence_events_behind_it()
    {
        // The kernel answers 0 to a read too small for the first event, then returns whole events.
        _node.QueueRead([.. Event(0x02, 32), .. Event(FenceSignaled, 8), .. Event(FenceSignaled, 8)]);

        Assert.True(_gpu.TryReadFenceEvent());
        Assert.True(_gpu.TryReadFenceEvent());
        Assert.False(_gpu.TryReadFenceEvent());
        Assert.Equal([8, 1024, 8], _node.ReadSizes);
    }

    private static byte[] Event(uint type, int length)
    {
        var bytes = new byte[length];
        var header = new DrmEvent { Type = type, Length = (uint)length };
        MemoryMarshal.Write(bytes, in header);
        return bytes;
    }
}

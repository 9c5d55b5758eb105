using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;
using CrossDomain.Tests.VirtioGpu;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Device;

public sealed class ResponseHeaderTests : IDisposable
{
    private readonly DeviceHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void An_unfenced_reply_carries_only_its_type()
    {
        var request = Submit(1, [1]);
        SetHeader(request, flags: ControlHeaderFlags.InfoRingIndex, fenceId: 99, ringIndex: 3);
        _harness.CreateContext(1);

        var reply = _harness.Send(request);

        AssertHeader(new ControlHeader { Type = CommandType.OkNoData }, reply);
    }

    [Fact]
    public void A_fenced_reply_echoes_flags_fence_context_and_ring()
    {
        var context = _harness.CreateContext(1);
        var reply = _harness.Send(Fenced(Submit(1, [1]), 42, 6));
        context.Signal(6, 42);

        var expected = new ControlHeader
        {
            Type = CommandType.OkNoData,
            Flags = ControlHeaderFlags.Fence | ControlHeaderFlags.InfoRingIndex,
            FenceId = 42,
            ContextId = 1,
            RingIndex = 6,
        };
        AssertHeader(expected, reply);
    }

    [Fact]
    public void Fenced_error_and_payload_replies_echo_too()
    {
        var error = _harness.Send(Fenced(GetEdid(5), 8)).Header;
        Assert.Equal((CommandType.ErrorInvalidScanoutId, ControlHeaderFlags.Fence, 8ul), (error.Type, error.Flags, error.FenceId));

        var request = Fenced(GetDisplayInfo(), 9);
        SetHeader(request, flags: ControlHeaderFlags.Fence, fenceId: 9, contextId: 77);
        var payload = _harness.Send(request).Header;
        Assert.Equal((CommandType.OkDisplayInfo, 9ul, 77u), (payload.Type, payload.FenceId, payload.ContextId));
    }

    [Fact]
    public void A_reply_to_a_short_request_is_a_bare_error_header()
    {
        var reply = _harness.Send([0x00, 0x01, 0x00, 0x00, 0x01]);
        AssertHeader(new ControlHeader { Type = CommandType.ErrorUnspecified }, reply);
        Assert.Equal(24, reply.Response.Length);
    }

    /// <summary>Compares the wire bytes, padding included.</summary>
    private static void AssertHeader(ControlHeader expected, RecordingReply reply) =>
        Assert.Equal(WireBytes.ToHex(expected), Convert.ToHexString(reply.Response, 0, 24));

    private static void SetHeader(byte[] request, ControlHeaderFlags flags, ulong fenceId, byte ringIndex = 0, uint? contextId = null)
    {
        ref var header = ref System.Runtime.InteropServices.MemoryMarshal.AsRef<ControlHeader>(request.AsSpan());
        header.Flags = flags;
        header.FenceId = fenceId;
        header.RingIndex = ringIndex;
        if (contextId is { } id) header.ContextId = id;
    }
}

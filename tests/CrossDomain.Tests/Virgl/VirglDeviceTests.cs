using CrossDomain.Host.Device;
using CrossDomain.Host.Renderers;
using CrossDomain.Host.Renderers.Virgl;
using CrossDomain.Tests.Device;
using CrossDomain.VirtioGpu.Protocol;
using static CrossDomain.Tests.Device.GpuRequests;

namespace CrossDomain.Tests.Virgl;

/// <summary>
/// The device core with the real virgl context type (libvirglrenderer on Mesa's software
/// rasterizer): capsets, contexts with and without context_init, 3D resources, transfers, fences,
/// and the checks that keep a hostile guest's 3D commands from reaching the renderer.
/// </summary>
[Collection(VirglCollection.Name)]
public sealed class VirglDeviceTests
{
    private const uint ContextId = 3;
    private const uint Size = 16;
    private const uint Stride = Size * 4;

    private static DeviceHarness Harness(VirglRenderer renderer) =>
        new(contextTypes: [new VirglContextType(renderer, CapsetId.Virgl), new VirglContextType(renderer, CapsetId.Virgl2)]);

    [SkippableFact]
    public void Capset_info_and_data_come_from_the_renderer()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        Assert.Equal(2u, harness.Device.CapsetCount);
        foreach (var (index, capsetId) in new[] { (0u, CapsetId.Virgl), (1u, CapsetId.Virgl2) })
        {
            var info = harness.SendOk(GetCapsetInfo(index), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>();
            Assert.Equal(capsetId, info.CapsetId);
            Assert.True(info.CapsetMaxVersion >= 1, $"{capsetId} version {info.CapsetMaxVersion}");
            Assert.True(info.CapsetMaxSize >= 64, $"{capsetId} is {info.CapsetMaxSize} bytes");

            var data = harness.SendOk(GetCapset(capsetId, info.CapsetMaxVersion), CommandType.OkCapset).Response.AsSpan(24);
            Assert.Equal((int)info.CapsetMaxSize, data.Length);
            // virgl_caps_v1/v2 begin with the caps structure's own max_version, which is never 0.
            Assert.NotEqual(0u, BitConverter.ToUInt32(data));
        }
        // VIRGL2 describes more than VIRGL.
        var virgl = harness.SendOk(GetCapsetInfo(0), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>();
        var virgl2 = harness.SendOk(GetCapsetInfo(1), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>();
        Assert.True(virgl2.CapsetMaxSize > virgl.CapsetMaxSize);
    }

    [SkippableTheory]
    [InlineData(0u)]
    [InlineData((uint)CapsetId.Virgl)]
    [InlineData((uint)CapsetId.Virgl2)]
    public void A_context_with_or_without_context_init_clears_a_render_target_the_guest_reads_back(uint contextInit)
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        harness.SendOk(CreateContext(ContextId, contextInit));
        CreateRenderTarget(harness, resourceId: 5, DeviceHarness.GuestPage(0));

        var clear = Fenced(Submit(ContextId, ClearStream(resourceId: 5)), fenceId: 9, ringIndex: 0);
        var reply = harness.Send(clear);
        // The reply is the fence: it comes back when the renderer's GL fence has passed.
        harness.RunLoopUntil(() => reply.IsCompleted, "the clear's fence on ring 0");
        Assert.Equal(CommandType.OkNoData, reply.Type);
        Assert.Equal(9ul, reply.Header.FenceId);

        harness.SendOk(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, VirglRequests.Box(0, 0, Size, Size), Stride));
        AssertClearColour(harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)));
    }

    [SkippableFact]
    public void The_VIRGL2_capset_hides_buffer_storage_whose_coherent_maps_need_blobs_the_renderer_cannot_export()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        var info = harness.SendOk(GetCapsetInfo(1), CommandType.OkCapsetInfo).Read<CapsetInfoResponse>();
        var data = harness.SendOk(GetCapset(CapsetId.Virgl2, info.CapsetMaxVersion), CommandType.OkCapset).Response.AsSpan(24);
        uint capabilityBits = BitConverter.ToUInt32(data[VirglNative.Caps2CapabilityBitsOffset..]);
        Assert.Equal(0u, capabilityBits & VirglNative.CapArbBufferStorage);
        // The word is the capability bits: the renderer sets others there (TGSI invariant, texture views, …).
        Assert.NotEqual(0u, capabilityBits);
    }

    [SkippableFact]
    public void A_readback_from_another_kind_of_context_runs_in_the_virgl_context_that_rendered()
    {
        var renderer = VirglAvailability.Require();
        var crossDomain = new FakeTimelineContextType(CapsetId.CrossDomain);
        using var harness = new DeviceHarness(contextTypes:
            [new VirglContextType(renderer, CapsetId.Virgl), new VirglContextType(renderer, CapsetId.Virgl2), crossDomain]);
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        CreateRenderTarget(harness, resourceId: 5, DeviceHarness.GuestPage(0));
        // No fence: nothing makes virglrenderer flush the clear before the readback.
        harness.SendOk(Submit(ContextId, ClearStream(resourceId: 5)));

        // The guest proxy's view of a client's buffer: the same resource, imported into its context.
        const uint ProxyContextId = 7;
        harness.SendOk(CreateContext(ProxyContextId, (uint)CapsetId.CrossDomain));
        harness.SendOk(AttachResource(ProxyContextId, 5));
        harness.SendOk(VirglRequests.Transfer(CommandType.TransferFromHost3D, ProxyContextId, 5, VirglRequests.Box(0, 0, Size, Size), Stride));
        AssertClearColour(harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)));
    }

    [SkippableFact]
    public void Pixels_the_guest_writes_go_to_the_host_and_come_back()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        CreateRenderTarget(harness, resourceId: 5, DeviceHarness.GuestPage(0));
        var written = harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size));
        for (int i = 0; i < written.Length; i++) written[i] = (byte)(i * 7);
        byte[] expected = written.ToArray();

        harness.SendOk(VirglRequests.Transfer(CommandType.TransferToHost3D, ContextId, 5, VirglRequests.Box(0, 0, Size, Size), Stride));
        written.Clear();
        harness.SendOk(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, VirglRequests.Box(0, 0, Size, Size), Stride));
        Assert.Equal(expected, harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)).ToArray());
    }

    [SkippableFact]
    public void After_the_memory_table_changes_transfers_use_the_new_mapping()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        CreateRenderTarget(harness, resourceId: 5, DeviceHarness.GuestPage(0));

        // The same guest addresses, now backed by other host memory (what SET_MEM_TABLE can do).
        using var moved = new MemfdGuestMemory();
        harness.Device.GuestMemory = moved;
        var written = moved.At(DeviceHarness.GuestPage(0), (int)(Stride * Size));
        for (int i = 0; i < written.Length; i++) written[i] = (byte)(255 - i);
        byte[] expected = written.ToArray();
        var whole = VirglRequests.Box(0, 0, Size, Size);
        harness.SendOk(VirglRequests.Transfer(CommandType.TransferToHost3D, ContextId, 5, whole, Stride));
        written.Clear();
        harness.SendOk(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, whole, Stride));
        Assert.Equal(expected, moved.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)).ToArray());
        Assert.All(harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)).ToArray(), b => Assert.Equal(0, b));
        harness.Device.GuestMemory = harness.Memory;
    }

    [SkippableFact]
    public void Bad_ids_boxes_and_backings_get_error_responses_and_the_device_keeps_serving()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        harness.ErrorsExpected = true;
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        CreateRenderTarget(harness, resourceId: 5, DeviceHarness.GuestPage(0));
        var whole = VirglRequests.Box(0, 0, Size, Size);

        // Resource creation: sizes, a used id, a format the renderer does not know.
        harness.SendRefused(VirglRequests.Create3D(7, 0, Size), DeviceRefusal.BadResourceShape);
        harness.SendRefused(VirglRequests.Create3D(5, Size, Size), DeviceRefusal.ResourceIdInUse);
        harness.SendRefused(VirglRequests.Create3D(0, Size, Size), DeviceRefusal.ResourceIdInUse);
        SendRendererRefused(harness, VirglRequests.Create3D(7, Size, Size, format: 0xFFFF), GpuError.InvalidParameter, RendererRefusal.ResourceCreateFailed);
        harness.SendRefused(VirglRequests.Create3D(7, 1 << 20, 1 << 20), DeviceRefusal.HostMemoryExhausted);

        // Transfers: unknown resource and context, boxes and levels outside the image, offsets past the backing.
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 99, whole, Stride), DeviceRefusal.NoSuchResource);
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, 77, 5, whole, Stride), DeviceRefusal.NoSuchContext);
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, VirglRequests.Box(1, 0, Size, Size), Stride), DeviceRefusal.OutsideResource);
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferToHost3D, ContextId, 5, VirglRequests.Box(0, 0xFFFF_FFFF, 1, 2), Stride), DeviceRefusal.OutsideResource);
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, whole, Stride, level: 1), DeviceRefusal.OutsideResource);
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, whole, Stride, offset: Stride * Size), DeviceRefusal.BackingTooSmall);
        // In range for the box, but the rows it implies run past the backing: the renderer refuses it.
        SendRendererRefused(harness, VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, whole, Stride, offset: Stride), GpuError.InvalidParameter, RendererRefusal.TransferFailed);

        // Backing: none yet, outside guest RAM, twice.
        harness.SendOk(VirglRequests.Create3D(8, Size, Size));
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 8, whole, Stride), DeviceRefusal.BackingStateWrong);
        SendRendererRefused(harness, AttachBacking(8, Entry(MemfdGuestMemory.End, 4096)), GpuError.InvalidParameter, RendererRefusal.GuestPagesNotInMemory);
        harness.SendRefused(AttachBacking(5, Entry(DeviceHarness.GuestPage(8), 4096)), DeviceRefusal.BackingStateWrong);

        // Commands: a stream that is not whole words, one the decoder rejects, a fence on a ring vrend lacks.
        SendRendererRefused(harness, Submit(ContextId, [1, 2, 3]), GpuError.InvalidParameter, RendererRefusal.MalformedSubmission);
        SendRendererRefused(harness, Submit(ContextId, [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]), GpuError.InvalidParameter, RendererRefusal.SubmissionRejected);
        SendRendererRefused(harness, Fenced(Submit(ContextId, []), fenceId: 1, ringIndex: 1), GpuError.InvalidParameter, RendererRefusal.FenceOnUnknownRing);

        // Still serving. vrend marks a context that sent it bad commands as failed and ignores it from
        // then on (the guest's problem, not the device's); a new context clears and reads back.
        const uint FreshContextId = ContextId + 1;
        harness.SendOk(CreateContext(FreshContextId, (uint)CapsetId.Virgl2));
        harness.SendOk(AttachResource(FreshContextId, 5));
        var reply = harness.Send(Fenced(Submit(FreshContextId, ClearStream(resourceId: 5)), fenceId: 2, ringIndex: 0));
        harness.RunLoopUntil(() => reply.IsCompleted, "the clear's fence after the errors");
        harness.SendOk(VirglRequests.Transfer(CommandType.TransferFromHost3D, FreshContextId, 5, whole, Stride));
        AssertClearColour(harness.Memory.At(DeviceHarness.GuestPage(0), (int)(Stride * Size)));
        harness.Create2DWithBacking(20, 4, 4, DeviceHarness.GuestPage(12));
        harness.SendOk(Unref(5));
        harness.SendRefused(VirglRequests.Transfer(CommandType.TransferFromHost3D, ContextId, 5, whole, Stride), DeviceRefusal.NoSuchResource);
    }

    [SkippableFact]
    public void The_private_copy_of_a_command_stream_counts_against_host_memory()
    {
        var renderer = VirglAvailability.Require();
        using var harness = new DeviceHarness(new DeviceLimits { MaxHostMemoryBytes = 64 << 10 },
            [new VirglContextType(renderer, CapsetId.Virgl), new VirglContextType(renderer, CapsetId.Virgl2)]);
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        // Zero words are VIRGL_CCMD_NOPs without payload.
        harness.SendOk(Submit(ContextId, new byte[32 << 10]));
        Assert.Equal(32ul << 10, harness.Device.HostMemoryInUse);
        SendRendererRefused(harness, Submit(ContextId, new byte[128 << 10]), GpuError.OutOfMemory, RendererRefusal.HostMemoryExhausted);

        harness.SendOk(DestroyContext(ContextId));
        Assert.Equal(0ul, harness.Device.HostMemoryInUse);
    }

    [SkippableFact]
    public void Destroying_the_device_lets_go_of_the_renderer_for_the_next_one()
    {
        var renderer = VirglAvailability.Require();
        using (var first = Harness(renderer))
        {
            first.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
            CreateRenderTarget(first, resourceId: 5, DeviceHarness.GuestPage(0));
            Assert.True(renderer.IsStarted);
            // A second device cannot take it while the first holds it.
            using var second = Harness(renderer);
            second.ErrorsExpected = true;
            SendRendererRefused(second, CreateContext(ContextId, (uint)CapsetId.Virgl2), GpuError.Unspecified, RendererRefusal.InUseByAnotherDevice);
            SendRendererRefused(second, VirglRequests.Create3D(5, Size, Size), GpuError.Unspecified, RendererRefusal.InUseByAnotherDevice);
        }
        Assert.False(renderer.IsStarted);
        using var next = Harness(renderer);
        next.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        CreateRenderTarget(next, resourceId: 5, DeviceHarness.GuestPage(0));
        var reply = next.Send(Fenced(Submit(ContextId, ClearStream(resourceId: 5)), fenceId: 1, ringIndex: 0));
        next.RunLoopUntil(() => reply.IsCompleted, "a clear on the next device");
    }

    [SkippableFact]
    public void A_host3d_blob_the_renderer_cannot_export_is_refused_and_nothing_leaks()
    {
        var renderer = VirglAvailability.Require();
        using var harness = Harness(renderer);
        harness.ErrorsExpected = true;
        harness.SendOk(CreateContext(ContextId, (uint)CapsetId.Virgl2));
        // No VIRGL_CCMD_PIPE_RESOURCE_CREATE named blob id 1: the renderer has nothing to make it from.
        SendRendererRefused(harness, CreateBlob(30, BlobMemory.Host3D, BlobFlags.UseMappable, 4096, ContextId, blobId: 1),
            GpuError.InvalidParameter, RendererRefusal.BlobCreateFailed);
        SendRendererRefused(harness, CreateBlob(30, BlobMemory.Host3DGuest, BlobFlags.None, 4096, ContextId, blobId: 1,
            entries: Entry(DeviceHarness.GuestPage(0), 4096)), GpuError.InvalidParameter, RendererRefusal.BlobMemoryNotHost3D);
        Assert.Equal(0, harness.Device.ResourceCount);
        Assert.Equal(0ul, harness.Device.HostMemoryInUse);
    }

    /// <summary>The renderer refused for <paramref name="reason"/> (in its own log), and the device passed its error on.</summary>
    private static void SendRendererRefused(DeviceHarness harness, byte[] request, GpuError error, RendererRefusal reason)
    {
        int before;
        lock (VirglAvailability.Log.Entries) before = VirglAvailability.Log.Entries.Count;
        harness.SendRefusedByContext(request, error);
        lock (VirglAvailability.Log.Entries)
            Assert.Contains(VirglAvailability.Log.Entries.Skip(before), entry => reason.Equals(entry.Value("Reason")));
    }

    private static void CreateRenderTarget(DeviceHarness harness, uint resourceId, ulong backingAddress)
    {
        harness.SendOk(VirglRequests.Create3D(resourceId, Size, Size));
        harness.SendOk(AttachBacking(resourceId, Entry(backingAddress, Stride * Size)));
        harness.SendOk(AttachResource(ContextId, resourceId));
    }

    internal static byte[] ClearStream(uint resourceId) => new VirglCommandStream()
        .CreateSurface(handle: 1, resourceId, VirglRequests.FormatB8G8R8A8)
        .SetFramebuffer(colorSurfaceHandle: 1)
        .ClearColor(ClearRed, ClearGreen, ClearBlue, 1.0f)
        .ToBytes();

    // Chosen so that each channel times 255 is a whole number: no rounding to argue about.
    internal const float ClearRed = 1.0f;
    internal const float ClearGreen = 0.2f;
    internal const float ClearBlue = 0.6f;

    /// <summary>Every B8G8R8A8 pixel is the clear colour: blue 153, green 51, red 255, alpha 255.</summary>
    internal static void AssertClearColour(ReadOnlySpan<byte> pixels)
    {
        for (int offset = 0; offset < pixels.Length; offset += 4)
        {
            Assert.True(pixels[offset] == 153 && pixels[offset + 1] == 51 && pixels[offset + 2] == 255 && pixels[offset + 3] == 255,
                $"pixel at byte {offset} is {pixels[offset]},{pixels[offset + 1]},{pixels[offset + 2]},{pixels[offset + 3]} (BGRA)");
        }
    }
}

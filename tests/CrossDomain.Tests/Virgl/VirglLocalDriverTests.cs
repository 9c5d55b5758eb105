using CrossDomain.Host.Renderers.Virgl;
using CrossDomain.Tests.Support;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Virgl;

/// <summary>
/// A virgl guest end to end through our userspace driver: the real host service over a real
/// vhost-user socket, the Linux uAPI calls a virgl driver makes, and libvirglrenderer rendering.
/// </summary>
[Collection(VirglCollection.Name)]
public sealed class VirglLocalDriverTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const uint Size = 16;
    private const uint Stride = Size * 4;

    /// <summary>A 16×16 BGRA texture a clear can render into.</summary>
    private static DrmVirtgpuResourceCreate RenderTarget => new()
    {
        Description = new Resource3DDescription
        {
            Target = VirglRequests.Texture2D,
            Format = VirglRequests.FormatB8G8R8A8,
            Bind = VirglRequests.BindRenderTarget,
            Width = Size,
            Height = Size,
            Depth = 1,
            ArraySize = 1,
        },
        Size = Stride * Size,
        Stride = Stride,
    };

    [SkippableFact]
    public void A_clear_rendered_by_virgl_comes_back_through_transfer_from_host_after_its_fence()
    {
        var renderer = VirglAvailability.Require();
        using var host = new InProcessHostService(new VirglContextType(renderer, CapsetId.Virgl), new VirglContextType(renderer, CapsetId.Virgl2));
        using var gpu = LocalVirtioGpu.Connect(host.SocketPath);
        Assert.Equal(1ul << (int)CapsetId.Virgl | 1ul << (int)CapsetId.Virgl2, gpu.GetParam(VirtgpuParam.SupportedCapsetIds));
        var caps = new byte[4096];
        Assert.True(gpu.GetCaps((uint)CapsetId.Virgl2, 1, caps) > 0);
        Assert.NotEqual(0u, BitConverter.ToUInt32(caps));

        gpu.InitContext((uint)CapsetId.Virgl2, ringCount: 1, pollRingMask: 1);
        var target = RenderTarget;
        gpu.CreateResource(ref target);
        Assert.NotEqual(0u, target.ResourceHandle);

        gpu.Submit(VirglDeviceTests.ClearStream(target.ResourceHandle), ringIndex: 0, [target.BoHandle]);
        Assert.True(gpu.Wait(target.BoHandle, noWait: false, Timeout), "the clear's fence on ring 0 did not signal");
        Assert.True(gpu.TryReadFenceEvent());

        var whole = new Box { Width = Size, Height = Size, Depth = 1 };
        gpu.TransferFromHost(new DrmVirtgpu3DTransfer { BoHandle = target.BoHandle, Box = whole, Stride = Stride });
        VirglDeviceTests.AssertClearColour(gpu.Map(target.BoHandle).GetSpan(0, (int)(Stride * Size)));

        // A box past the image is the device's error, and the device goes on serving.
        var tooWide = whole with { Width = Size + 1 };
        Assert.Throws<VirtioGpuDriverException>(() =>
            gpu.TransferFromHost(new DrmVirtgpu3DTransfer { BoHandle = target.BoHandle, Box = tooWide, Stride = Stride }));
        gpu.TransferToHost(new DrmVirtgpu3DTransfer { BoHandle = target.BoHandle, Box = whole, Stride = Stride });
        gpu.CloseBuffer(target.BoHandle);
    }

    [SkippableFact]
    public void A_second_VM_is_refused_the_renderer_while_the_first_holds_it_and_gets_it_after()
    {
        var renderer = VirglAvailability.Require();
        using var host = new InProcessHostService(new VirglContextType(renderer, CapsetId.Virgl2));
        var image = RenderTarget;
        using (var first = LocalVirtioGpu.Connect(host.SocketPath))
        {
            first.InitContext((uint)CapsetId.Virgl2, ringCount: 1, pollRingMask: 1);
            var mine = image;
            first.CreateResource(ref mine);

            // virglrenderer has one context and resource table per process: a second VM that
            // shared it could attach the first one's resources and read its pixels back.
            using var second = LocalVirtioGpu.Connect(host.SocketPath);
            Assert.Throws<VirtioGpuDriverException>(() => second.InitContext((uint)CapsetId.Virgl2, ringCount: 1, pollRingMask: 1));
            var theirs = image;
            Assert.Throws<VirtioGpuDriverException>(() => second.CreateResource(ref theirs));
        }

        // The first VM has gone, and with it its hold on the renderer, once its device has been
        // torn down on its own thread.
        var deadline = DateTime.UtcNow + Timeout;
        LocalVirtioGpu later;
        while (true)
        {
            later = LocalVirtioGpu.Connect(host.SocketPath);
            try
            {
                later.InitContext((uint)CapsetId.Virgl2, ringCount: 1, pollRingMask: 1);
                break;
            }
            catch (VirtioGpuDriverException) when (DateTime.UtcNow < deadline)
            {
                later.Dispose();
                Thread.Sleep(20);
            }
        }
        using (later)
        {
            var again = image;
            later.CreateResource(ref again);
            Assert.NotEqual(0u, again.ResourceHandle);
        }
    }
}

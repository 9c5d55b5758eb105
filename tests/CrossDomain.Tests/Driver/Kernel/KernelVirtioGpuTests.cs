using System.Runtime.InteropServices;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Driver;
using CrossDomain.VirtioGpu.Linux;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Tests.Driver.Kernel;

/// <summary>
/// Every call of the kernel transport as the kernel sees it: the request number and argument size
/// (written out from the Linux headers, so a wrong struct size shows) and each argument field, read
/// through the uAPI structs whose offsets LinuxUapiStructLayoutTests checks (PROTOCOL.md C.2, C.3);
/// results read back from what the kernel writes, errno as driver errors.
/// </summary>
public sealed class KernelVirtioGpuTests : IDisposable
{
    private const uint Version = 0xC0406400;
    private const uint GemClose = 0x40086409;
    private const uint PrimeHandleToFd = 0xC00C642D;
    private const uint PrimeFdToHandle = 0xC00C642E;
    private const uint VirtgpuMap = 0xC0106441;
    private const uint VirtgpuExecbuffer = 0xC0406442;
    private const uint VirtgpuGetParam = 0xC0106443;
    private const uint VirtgpuResourceCreate = 0xC0386444;
    private const uint VirtgpuResourceInfo = 0xC0106445;
    private const uint VirtgpuTransferFromHost = 0xC02C6446;
    private const uint VirtgpuTransferToHost = 0xC02C6447;
    private const uint VirtgpuWait = 0xC0086448;
    private const uint VirtgpuGetCaps = 0xC0186449;
    private const uint VirtgpuResourceCreateBlob = 0xC030644A;
    private const uint VirtgpuContextInit = 0xC010644B;

    private const int EBUSY = 16;
    private const int ENOENT = 2;
    private const int EINVAL = 22;
    private const int ENODEV = 19;

    private readonly FakeDrmRenderNode _node = new();
    private readonly KernelVirtioGpu _gpu;

    public KernelVirtioGpuTests() => _gpu = KernelVirtioGpu.Over(_node);

    public void Dispose() => _gpu.Dispose();

    [Fact]
    public void Opening_a_missing_device_names_the_path()
    {
        const string path = "/nonexistent/dri/renderD199";
        var error = Assert.Throws<VirtioGpuDriverException>(() => KernelVirtioGpu.Open(path));
        Assert.Equal(ENOENT, error.Errno);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Opening_a_file_that_is_not_a_drm_device_says_so()
    {
        // /dev/null takes the real open and ioctl path and answers VERSION with ENOTTY.
        var error = Assert.Throws<VirtioGpuDriverException>(() => KernelVirtioGpu.Open("/dev/null"));
        Assert.Equal(25, error.Errno);
        Assert.Contains("/dev/null is not a DRM device", error.Message);
    }

    [Fact]
    public void Opening_checks_the_driver_name_with_drm_version()
    {
        var version = _node.Single(Version);
        Assert.Equal(64, version.Argument.Length);
        var asked = version.As<DrmVersion>();
        Assert.Equal(64u, asked.NameLength); // the capacity offered
        Assert.NotEqual(0, asked.Name); // a user buffer

        var other = new FakeDrmRenderNode("i915");
        var error = Assert.Throws<VirtioGpuDriverException>(() => KernelVirtioGpu.Over(other));
        Assert.Equal(ENODEV, error.Errno);
        Assert.Contains("i915", error.Message);
        Assert.Contains(other.Path, error.Message);
        Assert.True(other.IsDisposed);
    }

    [Fact]
    public void GetParam_passes_a_pointer_to_the_int_the_kernel_writes()
    {
        _node.On(VirtgpuGetParam, argument =>
        {
            BitConverter.TryWriteBytes(FakeDrmRenderNode.UserMemory(FakeDrmRenderNode.Argument<DrmVirtgpuGetParam>(argument).Value, 4), 1 << 5);
            return 0;
        });

        Assert.Equal(1ul << 5, _gpu.GetParam(VirtgpuParam.SupportedCapsetIds));

        var call = _node.Single(VirtgpuGetParam);
        Assert.Equal(16, call.Argument.Length);
        var asked = call.As<DrmVirtgpuGetParam>();
        Assert.Equal(7ul, (ulong)asked.Param); // SUPPORTED_CAPSET_IDS
        Assert.NotEqual(0ul, asked.Value);
    }

    [Fact]
    public void GetCaps_fills_the_destination_and_clears_what_the_capset_does_not_cover()
    {
        _node.On(VirtgpuGetCaps, argument =>
        {
            FakeDrmRenderNode.UserMemory(FakeDrmRenderNode.Argument<DrmVirtgpuGetCaps>(argument).Address, 4).Fill(0xAB);
            return 0;
        });
        var caps = new byte[16];
        caps.AsSpan().Fill(0xFF);

        Assert.Equal(16, _gpu.GetCaps(5, 0, caps));

        Assert.Equal([0xAB, 0xAB, 0xAB, 0xAB, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], caps);
        var call = _node.Single(VirtgpuGetCaps);
        Assert.Equal(24, call.Argument.Length);
        var asked = call.As<DrmVirtgpuGetCaps>();
        Assert.Equal(5u, asked.CapsetId);
        Assert.Equal(0u, asked.CapsetVersion);
        Assert.NotEqual(0ul, asked.Address);
        Assert.Equal(16u, asked.Size);
        Assert.Equal(0u, asked.Padding);
    }

    [Fact]
    public void InitContext_sends_capset_rings_and_poll_mask_as_three_set_params()
    {
        DrmVirtgpuContextSetParam[] parameters = [];
        _node.On(VirtgpuContextInit, argument =>
        {
            var init = FakeDrmRenderNode.Argument<DrmVirtgpuContextInit>(argument);
            parameters = [.. MemoryMarshal.Cast<byte, DrmVirtgpuContextSetParam>(FakeDrmRenderNode.UserMemory(init.SetParams, 3 * 16))];
            return 0;
        });

        _gpu.InitContext(capsetId: 5, ringCount: 2, pollRingMask: 1 << 1);

        var call = _node.Single(VirtgpuContextInit);
        Assert.Equal(16, call.Argument.Length);
        var init = call.As<DrmVirtgpuContextInit>();
        Assert.Equal(3u, init.ParamCount);
        Assert.Equal(0u, init.Padding);
        // CAPSET_ID, NUM_RINGS, POLL_RINGS_MASK
        Assert.Equal([(1ul, 5ul), (2ul, 2ul), (3ul, 1ul << 1)], parameters.Select(parameter => ((ulong)parameter.Param, parameter.Value)));
    }

    [Fact]
    public void CreateBlob_fills_every_field_and_returns_the_handles_the_kernel_wrote()
    {
        _node.On(VirtgpuResourceCreateBlob, argument =>
        {
            ref var created = ref FakeDrmRenderNode.Argument<DrmVirtgpuResourceCreateBlob>(argument);
            created.BoHandle = 7;
            created.ResourceHandle = 42;
            return 0;
        });

        var blob = _gpu.CreateBlob(VirtgpuBlobMemory.Host3D, VirtgpuBlobFlags.UseMappable | VirtgpuBlobFlags.UseShareable, 5000, blobId: 0x1234_5678_9ABC);

        Assert.Equal(new BlobHandle(7, 42), blob);
        var call = _node.Single(VirtgpuResourceCreateBlob);
        Assert.Equal(48, call.Argument.Length);
        var asked = call.As<DrmVirtgpuResourceCreateBlob>();
        Assert.Equal(2u, (uint)asked.BlobMemory); // HOST3D
        Assert.Equal(3u, (uint)asked.BlobFlags); // USE_MAPPABLE | USE_SHAREABLE
        Assert.Equal(0u, asked.BoHandle);
        Assert.Equal(0u, asked.ResourceHandle);
        Assert.Equal(5000ul, asked.Size);
        Assert.Equal(0u, asked.Padding);
        Assert.Equal(0u, asked.CommandSize);
        Assert.Equal(0ul, asked.Command);
        Assert.Equal(0x1234_5678_9ABCul, asked.BlobId);
    }

    [Fact]
    public void CreateResource_and_transfers_pass_their_structs_and_a_transfer_waits_for_its_buffer()
    {
        _node.On(VirtgpuResourceCreate, argument =>
        {
            ref var resource = ref FakeDrmRenderNode.Argument<DrmVirtgpuResourceCreate>(argument);
            resource.BoHandle = 9;
            resource.ResourceHandle = 77;
            return 0;
        });
        var create = new DrmVirtgpuResourceCreate
        {
            Description = new Resource3DDescription { Target = 2, Format = 1, Bind = 2, Width = 16, Height = 8, Depth = 1, ArraySize = 1 },
            Size = 512,
            Stride = 64,
        };
        _gpu.CreateResource(ref create);
        Assert.Equal((9u, 77u), (create.BoHandle, create.ResourceHandle));
        var created = _node.Single(VirtgpuResourceCreate);
        Assert.Equal(56, created.Argument.Length);
        var asked = created.As<DrmVirtgpuResourceCreate>();
        var shape = asked.Description;
        Assert.Equal((2u, 1u, 2u), (shape.Target, shape.Format, shape.Bind));
        Assert.Equal((16u, 8u, 1u, 1u), (shape.Width, shape.Height, shape.Depth, shape.ArraySize));
        Assert.Equal((0u, 0u, 0u), (shape.LastLevel, shape.SampleCount, shape.Flags));
        Assert.Equal((512u, 64u), (asked.Size, asked.Stride));

        var transfer = new DrmVirtgpu3DTransfer { BoHandle = 9, Box = new Box { X = 1, Y = 2, Z = 0, Width = 3, Height = 4, Depth = 1 }, Level = 0, Offset = 128, Stride = 64 };
        _gpu.TransferToHost(transfer);
        _gpu.TransferFromHost(transfer);
        foreach (uint request in new[] { VirtgpuTransferToHost, VirtgpuTransferFromHost })
        {
            var call = _node.Single(request);
            Assert.Equal(44, call.Argument.Length);
            var passed = call.As<DrmVirtgpu3DTransfer>();
            Assert.Equal(9u, passed.BoHandle);
            Assert.Equal((1u, 2u, 0u, 3u, 4u, 1u), (passed.Box.X, passed.Box.Y, passed.Box.Z, passed.Box.Width, passed.Box.Height, passed.Box.Depth));
            Assert.Equal((0u, 128u, 64u, 0u), (passed.Level, passed.Offset, passed.Stride, passed.LayerStride));
        }
        // The kernel only queues a transfer. One to the host stays queued (what follows it on the
        // control queue sees the copy); one from the host is waited for, as its bytes are read next.
        Assert.Equal(1, _node.Ioctls.Count(call => call.Request == VirtgpuWait && call.As<DrmVirtgpu3DWait>().Handle == 9));
    }

    [Fact]
    public void Map_mmaps_the_page_rounded_blob_at_the_offset_the_kernel_returned_once_until_closed()
    {
        _node.On(VirtgpuResourceCreateBlob, argument => { FakeDrmRenderNode.Argument<DrmVirtgpuResourceCreateBlob>(argument).BoHandle = 7; return 0; });
        _node.On(VirtgpuMap, argument => { FakeDrmRenderNode.Argument<DrmVirtgpuMap>(argument).Offset = 0x1_0000_0000ul; return 0; });
        var blob = _gpu.CreateBlob(VirtgpuBlobMemory.Guest, VirtgpuBlobFlags.UseMappable, 5000, 0);

        var first = _gpu.Map(blob.BufferHandle);
        var second = _gpu.Map(blob.BufferHandle);

        long page = Environment.SystemPageSize;
        long expectedLength = (5000 + page - 1) / page * page;
        var map = _node.Single(VirtgpuMap);
        Assert.Equal(16, map.Argument.Length);
        Assert.Equal(7u, map.As<DrmVirtgpuMap>().Handle);
        Assert.Equal(0u, map.As<DrmVirtgpuMap>().Padding);
        Assert.Equal([(0x1_0000_0000ul, expectedLength)], _node.Maps);
        Assert.Equal(first.Address, second.Address);
        Assert.Equal(expectedLength, first.Length);
        first.GetSpan(0, 4).Fill(1);

        _gpu.CloseBuffer(blob.BufferHandle);
        var close = _node.Single(GemClose);
        Assert.Equal(8, close.Argument.Length);
        Assert.Equal(7u, close.As<DrmGemClose>().Handle);
        Assert.Equal(0u, close.As<DrmGemClose>().Padding);
    }

    [Fact]
    public void Map_of_a_buffer_made_elsewhere_takes_its_size_from_resource_info()
    {
        _node.On(VirtgpuResourceInfo, argument => { FakeDrmRenderNode.Argument<DrmVirtgpuResourceInfo>(argument).Size = 8192; return 0; });

        var mapped = _gpu.Map(9);

        Assert.Equal(8192, mapped.Length);
        Assert.Equal(9u, _node.Single(VirtgpuResourceInfo).As<DrmVirtgpuResourceInfo>().BoHandle);
    }

    [Fact]
    public void Submit_on_a_ring_passes_commands_handles_and_the_ring_index_flag()
    {
        byte[] commands = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] seenCommands = [];
        uint[] seenHandles = [];
        _node.On(VirtgpuExecbuffer, argument =>
        {
            var submitted = FakeDrmRenderNode.Argument<DrmVirtgpuExecbuffer>(argument);
            seenCommands = FakeDrmRenderNode.UserMemory(submitted.Command, (int)submitted.Size).ToArray();
            seenHandles = [.. MemoryMarshal.Cast<byte, uint>(FakeDrmRenderNode.UserMemory(submitted.BoHandles, 4 * (int)submitted.BoHandleCount))];
            return 0;
        });

        _gpu.Submit(commands, ringIndex: 1, [7, 9]);

        var call = _node.Single(VirtgpuExecbuffer);
        Assert.Equal(64, call.Argument.Length);
        var asked = call.As<DrmVirtgpuExecbuffer>();
        Assert.Equal(0x04u, (uint)asked.Flags); // RING_IDX only: no fence fds asked for
        Assert.Equal(8u, asked.Size);
        Assert.Equal(2u, asked.BoHandleCount);
        Assert.Equal(0, asked.FenceFd); // unused
        Assert.Equal(1u, asked.RingIndex);
        // No syncobjs.
        Assert.Equal((0u, 0u, 0u, 0ul, 0ul), (asked.SyncobjStride, asked.InSyncobjCount, asked.OutSyncobjCount, asked.InSyncobjs, asked.OutSyncobjs));
        Assert.Equal(commands, seenCommands);
        Assert.Equal([7u, 9u], seenHandles);
    }

    [Fact]
    public void Submit_without_a_ring_sets_no_flags_and_no_handles()
    {
        _gpu.Submit([1, 0, 0, 0], ringIndex: null, []);

        var asked = _node.Single(VirtgpuExecbuffer).As<DrmVirtgpuExecbuffer>();
        Assert.Equal(0u, (uint)asked.Flags);
        Assert.Equal(4u, asked.Size);
        Assert.NotEqual(0ul, asked.Command);
        Assert.Equal(0u, asked.BoHandleCount);
        Assert.Equal(0u, asked.RingIndex);
    }

    [Fact]
    public void Wait_with_nowait_asks_once_and_reads_ebusy_as_not_yet()
    {
        int answer = EBUSY;
        _node.On(VirtgpuWait, _ => answer);

        Assert.False(_gpu.Wait(7, noWait: true, TimeSpan.FromSeconds(15)));
        answer = 0;
        Assert.True(_gpu.Wait(7, noWait: true, TimeSpan.Zero));

        Assert.All(_node.Ioctls.Where(c => c.Request == VirtgpuWait), call =>
        {
            Assert.Equal(8, call.Argument.Length);
            Assert.Equal(7u, call.As<DrmVirtgpu3DWait>().Handle);
            Assert.Equal(1u, call.As<DrmVirtgpu3DWait>().Flags);
        });
        Assert.Equal(2, _node.Ioctls.Count(c => c.Request == VirtgpuWait));
    }

    [Fact]
    public void Wait_as_long_as_the_kernel_waits_blocks_in_the_kernel()
    {
        Assert.True(_gpu.Wait(7, noWait: false, KernelVirtioGpu.KernelWaitLimit));

        Assert.Equal(0u, _node.Single(VirtgpuWait).As<DrmVirtgpu3DWait>().Flags);
    }

    [Fact]
    public void Wait_shorter_than_the_kernel_wait_keeps_its_deadline_by_asking_without_waiting()
    {
        _node.On(VirtgpuWait, _ => EBUSY);
        var timeout = TimeSpan.FromMilliseconds(50);
        var started = System.Diagnostics.Stopwatch.StartNew();

        Assert.False(_gpu.Wait(7, noWait: false, timeout));

        Assert.InRange(started.Elapsed, timeout, TimeSpan.FromSeconds(5));
        var waits = _node.Ioctls.Where(c => c.Request == VirtgpuWait).ToList();
        Assert.True(waits.Count > 1);
        Assert.All(waits, call => Assert.Equal(1u, call.As<DrmVirtgpu3DWait>().Flags));
    }

    [Fact]
    public void GetResourceId_reads_the_resource_handle_the_kernel_wrote()
    {
        _node.On(VirtgpuResourceInfo, argument => { FakeDrmRenderNode.Argument<DrmVirtgpuResourceInfo>(argument).ResourceHandle = 42; return 0; });

        Assert.Equal(42u, _gpu.GetResourceId(7));

        var call = _node.Single(VirtgpuResourceInfo);
        Assert.Equal(16, call.Argument.Length);
        Assert.Equal(7u, call.As<DrmVirtgpuResourceInfo>().BoHandle);
    }

    [Fact]
    public void ImportDmabuf_passes_the_fd_and_returns_the_handle()
    {
        using var dmabuf = MemFd.Create("stand-in-dmabuf", 4096);
        _node.On(PrimeFdToHandle, argument => { FakeDrmRenderNode.Argument<DrmPrimeHandle>(argument).Handle = 11; return 0; });

        Assert.Equal(11u, _gpu.ImportDmabuf(dmabuf));

        var call = _node.Single(PrimeFdToHandle);
        Assert.Equal(12, call.Argument.Length);
        Assert.Equal(0u, call.As<DrmPrimeHandle>().Flags);
        Assert.Equal(dmabuf.Fd, call.As<DrmPrimeHandle>().Fd);
    }

    [Fact]
    public void ExportDmabuf_asks_for_a_close_on_exec_writable_fd_and_owns_it()
    {
        using var stand_in = MemFd.Create("stand-in-dmabuf", 4096);
        int exported = stand_in.Duplicate().Release();
        _node.On(PrimeHandleToFd, argument => { FakeDrmRenderNode.Argument<DrmPrimeHandle>(argument).Fd = exported; return 0; });

        using var fd = _gpu.ExportDmabuf(7);

        Assert.Equal(exported, fd.Fd);
        var call = _node.Single(PrimeHandleToFd);
        Assert.Equal(12, call.Argument.Length);
        Assert.Equal(7u, call.As<DrmPrimeHandle>().Handle);
        Assert.Equal(0x80002u, call.As<DrmPrimeHandle>().Flags); // DRM_CLOEXEC | DRM_RDWR
    }

    [Fact]
    public void An_errno_from_the_kernel_becomes_a_driver_error_naming_the_ioctl_and_device()
    {
        _node.On(VirtgpuContextInit, _ => EINVAL);
        _node.On(VirtgpuWait, _ => ENOENT);

        var error = Assert.Throws<VirtioGpuDriverException>(() => _gpu.InitContext(5, 2, 1 << 1));
        Assert.Equal(EINVAL, error.Errno);
        Assert.Contains("VIRTGPU_CONTEXT_INIT", error.Message);
        Assert.Contains(_node.Path, error.Message);

        Assert.Equal(ENOENT, Assert.Throws<VirtioGpuDriverException>(() => _gpu.Wait(3, noWait: false, TimeSpan.FromSeconds(15))).Errno);
    }

    [Fact]
    public void The_event_fd_is_the_drm_file_and_dispose_closes_it()
    {
        Assert.Same(_node.Handle, _gpu.FenceNotificationFd);
        _gpu.Dispose();
        Assert.True(_node.IsDisposed);
    }
}

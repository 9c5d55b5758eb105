using System.Runtime.CompilerServices;

namespace CrossDomain.VirtioGpu.Linux;

/// <summary>
/// The DRM ioctls a virtio-gpu guest uses, computed from our struct sizes so the numbers
/// cannot drift from the layouts.
/// </summary>
public static class DrmIoctl
{
    public const byte Type = (byte)'d';

    /// <summary>Driver-specific ioctls are numbered from here.</summary>
    public const byte CommandBase = 0x40;

    public static readonly uint Version = Core(0x00, Unsafe.SizeOf<DrmVersion>());
    public static readonly uint GemClose = IoctlNumber.Write(Type, 0x09, Unsafe.SizeOf<DrmGemClose>());
    public static readonly uint PrimeHandleToFd = Core(0x2d, Unsafe.SizeOf<DrmPrimeHandle>());
    public static readonly uint PrimeFdToHandle = Core(0x2e, Unsafe.SizeOf<DrmPrimeHandle>());

    public static readonly uint VirtgpuMap = Virtgpu(0x01, Unsafe.SizeOf<DrmVirtgpuMap>());
    public static readonly uint VirtgpuExecbuffer = Virtgpu(0x02, Unsafe.SizeOf<DrmVirtgpuExecbuffer>());

    // The kernel matches on the number and zero-extends shorter arguments, so these older
    // encodings still work; they matter only when recognising what an older client sent.
    public static readonly uint VirtgpuExecbufferWithRingIndex = Virtgpu(0x02, DrmVirtgpuExecbuffer.SizeWithRingIndex);
    public static readonly uint VirtgpuExecbufferOriginal = Virtgpu(0x02, DrmVirtgpuExecbuffer.OriginalSize);

    public static readonly uint VirtgpuGetParam = Virtgpu(0x03, Unsafe.SizeOf<DrmVirtgpuGetParam>());
    public static readonly uint VirtgpuResourceCreate = Virtgpu(0x04, Unsafe.SizeOf<DrmVirtgpuResourceCreate>());
    public static readonly uint VirtgpuResourceInfo = Virtgpu(0x05, Unsafe.SizeOf<DrmVirtgpuResourceInfo>());
    public static readonly uint VirtgpuTransferFromHost = Virtgpu(0x06, Unsafe.SizeOf<DrmVirtgpu3DTransfer>());
    public static readonly uint VirtgpuTransferToHost = Virtgpu(0x07, Unsafe.SizeOf<DrmVirtgpu3DTransfer>());
    public static readonly uint VirtgpuWait = Virtgpu(0x08, Unsafe.SizeOf<DrmVirtgpu3DWait>());
    public static readonly uint VirtgpuGetCaps = Virtgpu(0x09, Unsafe.SizeOf<DrmVirtgpuGetCaps>());
    public static readonly uint VirtgpuResourceCreateBlob = Virtgpu(0x0a, Unsafe.SizeOf<DrmVirtgpuResourceCreateBlob>());
    public static readonly uint VirtgpuContextInit = Virtgpu(0x0b, Unsafe.SizeOf<DrmVirtgpuContextInit>());

    private static uint Core(byte number, int size) => IoctlNumber.ReadWrite(Type, number, size);

    private static uint Virtgpu(byte number, int size) => IoctlNumber.ReadWrite(Type, (byte)(CommandBase + number), size);
}

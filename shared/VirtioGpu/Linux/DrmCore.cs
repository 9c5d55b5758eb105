using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Linux;

// Structs of the generic DRM uAPI (drm.h) that a virtio-gpu guest needs.

/// <summary>
/// <c>drm_version</c>. The lengths are <c>size_t</c> and the strings user pointers, so the
/// layout follows the process's word size: 64 bytes on 64-bit, the only kind we run on.
/// Natural alignment leaves 4 bytes of padding after <see cref="PatchLevel"/>, as in C.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmVersion
{
    public int Major;
    public int Minor;
    public int PatchLevel;

    /// <summary>In: capacity of <see cref="Name"/>. Out: the full length, which may exceed it.</summary>
    public nuint NameLength;
    public nint Name;
    public nuint DateLength;
    public nint Date;
    public nuint DescriptionLength;
    public nint Description;
}

[StructLayout(LayoutKind.Sequential)]
public struct DrmGemClose
{
    public uint Handle;
    public uint Padding;
}

/// <summary>
/// <c>drm_prime_handle</c>, for PRIME_HANDLE_TO_FD and PRIME_FD_TO_HANDLE. Importing a dma-buf
/// into a file with a context makes the kernel send CTX_ATTACH_RESOURCE.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmPrimeHandle
{
    /// <summary><c>DRM_CLOEXEC</c>, which is <c>O_CLOEXEC</c>.</summary>
    public const uint CloseOnExec = 0x80000;

    /// <summary><c>DRM_RDWR</c>, which is <c>O_RDWR</c>; needed to mmap the exported fd writable.</summary>
    public const uint ReadWrite = 0x2;

    public uint Handle;
    public uint Flags;
    public int Fd;
}

/// <summary>
/// <c>drm_event</c>: what <c>read()</c> on the DRM fd returns, whole events only.
/// <see cref="Length"/> includes this header.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DrmEvent
{
    /// <summary>
    /// <c>VIRTGPU_EVENT_FENCE_SIGNALED</c>: a fence on a ring in POLL_RINGS_MASK completed.
    /// The event has no payload and does not say which ring, so guests poll only one ring.
    /// </summary>
    public const uint VirtgpuFenceSignaled = 0x9000_0000;

    public uint Type;
    public uint Length;
}

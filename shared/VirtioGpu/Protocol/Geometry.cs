using System.Runtime.InteropServices;

namespace CrossDomain.VirtioGpu.Protocol;

/// <summary><c>virtio_gpu_rect</c>, in pixels.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Rect
{
    public uint X;
    public uint Y;
    public uint Width;
    public uint Height;
}

/// <summary><c>virtio_gpu_box</c>: the 3D region of a virgl transfer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Box
{
    public uint X;
    public uint Y;
    public uint Z;
    public uint Width;
    public uint Height;
    public uint Depth;
}

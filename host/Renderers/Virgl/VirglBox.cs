using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary><c>struct virgl_box</c> (virgl_hw.h): the same six words as virtio_gpu_box.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VirglBox
{
    public uint X;
    public uint Y;
    public uint Z;
    public uint Width;
    public uint Height;
    public uint Depth;
}

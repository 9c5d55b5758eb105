using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary><c>struct virgl_renderer_resource_create_args</c>: RESOURCE_CREATE_3D's fields, renamed only.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct VirglResourceCreateArgs
{
    public uint Handle;
    public uint Target;
    public uint Format;
    public uint Bind;
    public uint Width;
    public uint Height;
    public uint Depth;
    public uint ArraySize;
    public uint LastLevel;
    public uint SampleCount;
    public uint Flags;
}

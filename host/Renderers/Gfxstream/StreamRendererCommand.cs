using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary><c>struct stream_renderer_command</c>: a SUBMIT_3D's bytes for one context.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct StreamRendererCommand
{
    public uint ContextId;
    public uint CommandSize;
    public byte* Commands;

    /// <summary>Unstable past 0.1.2: always 0 here.</summary>
    public uint InFenceCount;

    public StreamRendererHandle* InFences;
}

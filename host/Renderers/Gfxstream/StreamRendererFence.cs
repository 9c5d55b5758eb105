using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary><c>struct stream_renderer_fence</c>: what create_fence takes and the fence callback gets.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererFence
{
    public uint Flags;
    public ulong FenceId;
    public uint ContextId;
    public byte RingIndex;
}

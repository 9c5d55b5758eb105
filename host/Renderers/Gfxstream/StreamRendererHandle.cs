using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary><c>struct stream_renderer_handle</c>: an OS handle (here an fd) and its STREAM_MEM_HANDLE_TYPE_*.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererHandle
{
    public long OsHandle;
    public uint HandleType;
}

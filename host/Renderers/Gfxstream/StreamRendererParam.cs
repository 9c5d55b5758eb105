using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary><c>struct stream_renderer_param</c>: one key (STREAM_RENDERER_PARAM_*) and its value or pointer.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererParam
{
    public ulong Key;
    public ulong Value;
}

using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Gfxstream;

/// <summary><c>struct stream_renderer_create_blob</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct StreamRendererCreateBlob
{
    public uint BlobMemory;
    public uint BlobFlags;
    public ulong BlobId;
    public ulong Size;
}

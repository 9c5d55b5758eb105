using System.Runtime.InteropServices;

namespace CrossDomain.Host.Renderers.Virgl;

/// <summary><c>struct virgl_renderer_resource_create_blob_args</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct VirglBlobCreateArgs
{
    public uint ResourceHandle;
    public uint ContextId;
    public uint BlobMemory;
    public uint BlobFlags;
    public ulong BlobId;
    public ulong Size;
    public IoVector* Vectors;
    public uint VectorCount;
}

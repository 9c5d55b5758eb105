using CrossDomain.Host.Renderers.Gfxstream;
using CrossDomain.Host.Renderers.Virgl;

namespace CrossDomain.Tests.VirtioGpu;

/// <summary>
/// The structs passed to libvirglrenderer (virglrenderer.h 0.10.4) and libgfxstream_backend
/// (virtio-gpu-gfxstream-renderer.h 0.1.2), x86_64 sizes and offsets read from those headers.
/// </summary>
public sealed class RendererStructLayoutTests
{
    private static readonly ExpectedLayout[] VirglLayouts =
    [
        new(typeof(VirglCallbacks), 72,
            ("Version", 0), ("WriteFence", 8), ("CreateGlContext", 16), ("DestroyGlContext", 24), ("MakeCurrent", 32),
            ("GetDrmFd", 40), ("WriteContextFence", 48), ("GetServerFd", 56), ("GetEglDisplay", 64)),
        new(typeof(VirglResourceCreateArgs), 44, ("Handle", 0), ("Description", 4)),
        new(typeof(VirglBlobCreateArgs), 48,
            ("ResourceHandle", 0), ("ContextId", 4), ("BlobMemory", 8), ("BlobFlags", 12), ("BlobId", 16), ("Size", 24),
            ("Vectors", 32), ("VectorCount", 40)),
        new(typeof(IoVector), 16, ("Base", 0), ("Length", 8)),
    ];

    private static readonly ExpectedLayout[] GfxstreamLayouts =
    [
        new(typeof(StreamRendererParam), 16, ("Key", 0), ("Value", 8)),
        new(typeof(StreamRendererFence), 24, ("Flags", 0), ("FenceId", 8), ("ContextId", 16), ("RingIndex", 20)),
        new(typeof(StreamRendererCommand), 32,
            ("ContextId", 0), ("CommandSize", 4), ("Commands", 8), ("InFenceCount", 16), ("InFences", 24)),
        new(typeof(StreamRendererCreateBlob), 24, ("BlobMemory", 0), ("BlobFlags", 4), ("BlobId", 8), ("Size", 16)),
        new(typeof(StreamRendererHandle), 16, ("OsHandle", 0), ("HandleType", 8)),
    ];

    public static TheoryData<string> VirglNames => StructLayoutAssert.Names(VirglLayouts);

    public static TheoryData<string> GfxstreamNames => StructLayoutAssert.Names(GfxstreamLayouts);

    [Theory]
    [MemberData(nameof(VirglNames))]
    public void Virgl_struct_size_and_field_offsets_match_virglrenderer_h(string structName) =>
        StructLayoutAssert.Matches(VirglLayouts, structName);

    [Theory]
    [MemberData(nameof(GfxstreamNames))]
    public void Gfxstream_struct_size_and_field_offsets_match_the_stream_renderer_header(string structName) =>
        StructLayoutAssert.Matches(GfxstreamLayouts, structName);

    [Fact]
    public void Every_renderer_struct_has_a_layout_row()
    {
        StructLayoutAssert.CoverNamespaceOf(typeof(VirglBlobCreateArgs), VirglLayouts);
        StructLayoutAssert.CoverNamespaceOf(typeof(StreamRendererFence), GfxstreamLayouts);
    }
}

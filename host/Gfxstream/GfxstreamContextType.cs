using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Gfxstream;

/// <summary>
/// The gfxstream context type for GFXSTREAM_VULKAN (3) or GFXSTREAM_GLES (8). It makes no
/// RESOURCE_CREATE_3D resources: those go to the device's default 3D type (virgl where it is
/// registered), so gfxstream guests get their memory as blobs.
/// </summary>
public sealed class GfxstreamContextType : IContextType
{
    private readonly GfxstreamRenderer _renderer;
    private readonly Virgl.RendererCapset _capset;

    public GfxstreamContextType(GfxstreamRenderer renderer, CapsetId capsetId)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        if (!renderer.TryGetCapset(capsetId, out var capset))
            throw new ArgumentException($"gfxstream does not offer capset {capsetId}.", nameof(capsetId));
        _renderer = renderer;
        _capset = capset;
        CapsetId = capsetId;
    }

    public CapsetId CapsetId { get; }

    public uint CapsetMaxVersion => _capset.MaxVersion;

    public uint CapsetMaxSize => _capset.MaxSize;

    public bool Is3D => true;

    public void WriteCapset(uint version, Span<byte> destination)
    {
        var data = _capset.Data(version);
        data[..Math.Min(data.Length, destination.Length)].CopyTo(destination);
    }

    public GpuError CreateContext(GpuContextSetup setup, out IGpuContext? context)
    {
        ArgumentNullException.ThrowIfNull(setup);
        context = null;
        var error = _renderer.Acquire(setup.Loop);
        if (error != GpuError.None) return error;
        error = GfxstreamContext.TryCreate(_renderer, CapsetId, setup, out var created);
        if (error != GpuError.None)
        {
            _renderer.Release();
            return error;
        }
        context = created;
        return GpuError.None;
    }
}

using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Virgl;

/// <summary>
/// The virgl context type for one of its capsets (VIRGL or VIRGL2: the same vrend contexts, two
/// capability layouts). It also makes the device's RESOURCE_CREATE_3D resources, being the 3D type
/// a Linux guest's implicit context (capset 0) gets.
/// </summary>
public sealed class VirglContextType : IContextType, IResource3DType
{
    private readonly VirglRenderer _renderer;
    private readonly RendererCapset _capset;

    public VirglContextType(VirglRenderer renderer, CapsetId capsetId)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        if (!renderer.TryGetCapset(capsetId, out var capset))
            throw new ArgumentException($"virglrenderer does not offer capset {capsetId}.", nameof(capsetId));
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
        error = VirglContext.TryCreate(_renderer, CapsetId, setup, out var created);
        if (error != GpuError.None)
        {
            _renderer.Release();
            return error;
        }
        context = created;
        return GpuError.None;
    }

    public GpuError CreateResource3D(in ResourceCreate3DCommand command, EventLoop loop, out Resource3D? resource)
    {
        ArgumentNullException.ThrowIfNull(loop);
        resource = null;
        var error = _renderer.Acquire(loop);
        if (error != GpuError.None) return error;
        error = VirglResource.TryCreate(_renderer, command, out var created);
        if (error != GpuError.None)
        {
            _renderer.Release();
            return error;
        }
        resource = created;
        return GpuError.None;
    }
}

using CrossDomain.Host.Device;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Renderers;

/// <summary>
/// A 3D context type whose capset comes from a renderer library and whose contexts hold that
/// library while they live: what virgl and gfxstream share. A subclass makes its contexts.
/// </summary>
public abstract class RendererContextType : IContextType
{
    private readonly RendererLibrary _library;
    private readonly RendererCapset _capset;

    private protected RendererContextType(RendererLibrary library, CapsetId capsetId, string libraryName)
    {
        ArgumentNullException.ThrowIfNull(library);
        if (!library.TryGetCapset(capsetId, out var capset))
            throw new ArgumentException($"{libraryName} does not offer capset {capsetId}.", nameof(capsetId));
        _library = library;
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
        var refusal = _library.Acquire(setup.Loop);
        if (refusal != RendererRefusal.None) return RendererRefusals.Refuse(setup.Logs.Limit(_library.Logger), _library.Name, setup.ContextId, refusal);
        var error = TryCreateContext(setup, out context);
        // A context that was not made does not hold the library.
        if (error != GpuError.None) _library.Release();
        return error;
    }

    /// <summary>Makes a context of the held library; on failure, the error and no context.</summary>
    private protected abstract GpuError TryCreateContext(GpuContextSetup setup, out IGpuContext? context);
}

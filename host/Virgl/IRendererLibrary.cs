using CrossDomain.Host.Device;
using CrossDomain.Interop;
using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Virgl;

/// <summary>A renderer library with process-wide state (virglrenderer, gfxstream): its capsets, and one device's hold on it.</summary>
internal interface IRendererLibrary
{
    bool TryGetCapset(CapsetId capsetId, out RendererCapset capset);

    /// <summary>Takes the library for a context on <paramref name="loop"/>'s device (started there on first use); an error when another device holds it.</summary>
    GpuError Acquire(EventLoop loop);

    /// <summary>Gives back one <see cref="Acquire"/>.</summary>
    void Release();
}

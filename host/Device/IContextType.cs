using CrossDomain.VirtioGpu.Protocol;

namespace CrossDomain.Host.Device;

/// <summary>
/// A kind of virtio-gpu context (cross-domain, virgl, gfxstream …), named by its capset id: it
/// describes its capability set to the guest and makes contexts on CTX_CREATE.
/// </summary>
public interface IContextType
{
    /// <summary>Also the value of <c>context_init &amp; 0xff</c> that asks for this type; 1..63.</summary>
    CapsetId CapsetId { get; }

    uint CapsetMaxVersion { get; }

    /// <summary>Bytes of capset data; GET_CAPSET answers with exactly this many.</summary>
    uint CapsetMaxSize { get; }

    /// <summary>
    /// A 3D renderer (virgl, venus, gfxstream). The first one registered serves CTX_CREATE with
    /// capset 0, which is what Linux sends for the context it creates implicitly.
    /// </summary>
    bool Is3D { get; }

    /// <summary>
    /// Writes capset data of <paramref name="version"/> (at most <see cref="CapsetMaxVersion"/>) into
    /// <paramref name="destination"/>, which is <see cref="CapsetMaxSize"/> bytes and zeroed.
    /// </summary>
    void WriteCapset(uint version, Span<byte> destination);

    /// <summary>Makes a context; on failure returns the error for the guest and no context.</summary>
    GpuError CreateContext(GpuContextSetup setup, out IGpuContext? context);
}
